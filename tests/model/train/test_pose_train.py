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
