"""Held-out folds of pose clips: what each fold trains on and what it is scored on."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.train import pose_train
from model.train.pose_data import PoseClip


def test_a_fold_scores_no_clip_of_an_action_it_has_no_other_clip_of(monkeypatch):
    rows = [("a-wave", "wave", "a"), ("a-other", "other", "a"), ("b-wave", "wave", "b"), ("b-bend", "bend", "b"),
            ("b-other", "other", "b")]
    clips = [PoseClip(ClipRecord(Path(f"{name}.mp4"), label, group, "src"), name) for name, label, group in rows]
    config = ModelConfig(labels=("idle", "bend", "other", "wave"), features="pose", background_label="other")
    trained_on = []
    monkeypatch.setattr(pose_train, "fit_pose_classifier",
                        lambda train, *a, **k: trained_on.append([c.track for c in train]) or "model")
    monkeypatch.setattr(pose_train, "eval_windows",
                        lambda held, cfg: (np.zeros((len(held), 4, 57)), np.arange(len(held))))
    monkeypatch.setattr(pose_train, "predict_windows", lambda model, x, cfg: np.zeros((len(x), 4)))
    (fold,) = pose_train.held_out_folds(clips, config, None, [("people b", [2, 3, 4])])
    assert trained_on == [["a-wave", "a-other"]]
    # Nobody else bends: the bend is listed apart; the wave and the other motion are scored.
    assert fold["unlearnt"] == [3] and fold["ids"] == [2, 4] and len(fold["probs"]) == 2


def _people(rows):
    """PoseClips of (group, label) rows; the track is the group name."""
    return [PoseClip(ClipRecord(Path(f"{g}-{label}-{n}.mp4"), label, g, g.split("-")[0]), g)
            for n, (g, label) in enumerate(rows)]


def test_group_folds_hold_every_person_out_once_and_spread_each_labels_people():
    rows = [(f"kard-s{p}", label) for p in range(10) for label in ("wave", "other", "bend")]
    rows += [("ud810-P1", "front"), ("ud810-P1", "wave"), ("ud810-P2", "front"), ("ud810-P2", "wave")]
    rows += [(f"public-{p}", "jack") for p in range(6)] + [("weizmann-g0", "bend"), ("weizmann-g1", "bend")]
    clips = _people(rows)
    for seed in range(5):
        folds = pose_train.group_folds(clips, 5, seed)
        held = sorted(i for _, ids in folds for i in ids)
        assert held == list(range(len(clips)))  # each clip held out once
        groups = [{clips[i].record.group for i in ids} for _, ids in folds]
        assert all(not a & b for k, a in enumerate(groups) for b in groups[k + 1:])  # a person in one fold
        assert max(map(len, groups)) - min(map(len, groups)) <= 1
        # The only two people with front raises never share a fold: each fold's model has seen one.
        assert all(len(g & {"ud810-P1", "ud810-P2"}) <= 1 for g in groups), seed
        # Six people with jacks over five folds: no fold holds two while another holds none.
        jacks = [sum(x.startswith("public") for x in g) for g in groups]
        assert max(jacks) - min(jacks) <= 1, (seed, jacks)
    assert pose_train.group_folds(clips, 5, 3) == pose_train.group_folds(clips, 5, 3)


def test_group_folds_stay_within_one_person_of_each_other_when_labels_pull_apart():
    # Dealt by labels alone, this set came out as folds of 3, 3 and 1 people.
    rows = [("g0", "b"), ("g1", "b"), ("g1", "c"), ("g1", "a"), ("g2", "c"), ("g3", "a"), ("g4", "b"),
            ("g4", "c"), ("g5", "c"), ("g5", "b"), ("g6", "a")]
    clips = _people(rows)
    for seed in range(10):
        sizes = [len({clips[i].record.group for i in ids}) for _, ids in pose_train.group_folds(clips, 3, seed)]
        assert sorted(sizes) == [2, 2, 3], (seed, sizes)


def test_a_fold_without_side_raise_clips_still_learns_them_from_waves_and_jacks():
    from model.train.pose_definitions import taught_labels

    labels = ("idle", "jumping_jack", "other", "side_arm_raise", "wave_two_hands")
    assert "side_arm_raise" in taught_labels({"wave_two_hands", "other"}, labels)
    assert {"side_arm_raise", "wave_two_hands"} <= taught_labels({"jumping_jack"}, labels)
    assert taught_labels({"other", "idle"}, labels) == {"other", "idle"}
    # Without both labels there are no definitions to follow: clips teach their own label only.
    assert taught_labels({"wave_two_hands"}, ("idle", "wave_two_hands")) == {"wave_two_hands"}
