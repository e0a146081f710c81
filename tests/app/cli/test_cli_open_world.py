"""The open world end to end: train with a background class and leave-one-source-out,
then `run` says "unknown" on motion that is none of the actions, and `evaluate` counts it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from model.bundle import load_bundle
from model.eval.fold_probs import FOLD_PROBS_FILE, load_fold_probs
from model.eval.open_set import THRESHOLDS, calibrate, open_set_report
from tests.cli_helpers import run, user_error
from tests.video_fixtures import make_motion_dataset, write_motion_clip

# Small, but trained long enough that a square moving up is told from one moving right.
TRAIN = ["--size", "16", "--frames", "4", "--epochs", "12", "--steps", "16", "--batch", "8"]
TINY = ["--size", "16", "--frames", "4", "--epochs", "1", "--steps", "2", "--batch", "4"]


def two_rooms(tmp):
    a = make_motion_dataset(tmp / "a", labels=("up", "down", "right"), dataset="room_a")
    b = make_motion_dataset(tmp / "b", labels=("up", "down", "left"), groups=("g3", "g4"), dataset="room_b")
    return a, b


@pytest.fixture(scope="module")
def open_world(tmp_path_factory):
    """A bundle that knows up and down; right and left motion train its background class."""
    tmp = tmp_path_factory.mktemp("open_world")
    code, _, err = run("train", "--data", *two_rooms(tmp), "--known", "up", "down", *TRAIN,
                       "--out", tmp / "bundle", "--cache", tmp / "cache")
    assert code == 0, err
    return tmp


def test_loso_holds_out_each_source_and_sets_the_threshold(tmp_path):
    code, _, err = run("train", "--data", *two_rooms(tmp_path), "--known", "up", "down", "--loso",
                       *TINY, "--out", tmp_path / "bundle", "--cache", tmp_path / "cache")
    assert code == 0, err
    bundle = load_bundle(tmp_path / "bundle")
    assert set(bundle.labels) == {"idle", "up", "down", "other"}
    assert bundle.config.background_label == "other"
    loso = bundle.metrics["loso"]
    assert [f["source"] for f in loso["folds"]] == ["room_a", "room_b"]
    # Each room holds 8 clips of up and down (known) and 4 of its own other motion.
    assert [f["known_clips"] for f in loso["folds"]] == [8, 8]
    assert [f["none_clips"] for f in loso["folds"]] == [4, 4]
    # Each fold learnt up and down from the other room's clips alone.
    assert [f["trained_on"] for f in loso["folds"]] == [{"down": 4, "up": 4}] * 2
    assert bundle.config.unknown_below == loso["threshold"]
    card = (tmp_path / "bundle" / "MODEL_CARD.md").read_text()
    assert "## Leave-one-source-out" in card and "| room_a |" in card and "| down 4, up 4 |" in card
    # The background's embeddings travel with the bundle, for `train --from` (4 frames: 3 motion pairs).
    background = np.load(tmp_path / "bundle" / "background_embeddings.npz")["embeddings"]
    assert background.shape[0] > 0 and background.shape[1:] == (3, bundle.config.embed_dim)
    assert np.isfinite(background.astype(np.float32)).all()
    # The folds' window probabilities are kept: scored again, they give the card's figures.
    sources, folds = load_fold_probs(tmp_path / "bundle" / FOLD_PROBS_FILE)
    assert sources == ["room_a", "room_b"]
    for i, fold in enumerate(folds):
        probs, ids, records, config = fold
        assert probs.shape == (len(ids), len(config.labels))
        assert {r.dataset for r in records} == {sources[i]}
        again = open_set_report(*fold, threshold=loso["folds"][i]["threshold"])
        for key in ("known_clip_accuracy", "false_alarm_rate", "known_clips", "none_windows"):
            assert again[key] == pytest.approx(loso["folds"][i][key])
    assert calibrate(folds) == loso["threshold"]
    # evaluate scores those folds at any threshold without training: the same figures, and the curve.
    report = tmp_path / "folds.json"
    code, out, err = run("evaluate", "--model", tmp_path / "bundle", "--held-out-sources", "--threshold", "0.5",
                         "--json", report)
    assert code == 0, err
    scored = json.loads(report.read_text())["held_out_sources"]
    assert scored["threshold"] == 0.5 and [f["source"] for f in scored["folds"]] == sources
    for row, fold in zip(scored["folds"], folds, strict=True):
        again = open_set_report(*fold, threshold=0.5)
        assert row["known_clip_accuracy"] == pytest.approx(again["known_clip_accuracy"])
        assert row["false_alarm_rate"] == pytest.approx(again["false_alarm_rate"])
    assert [p["threshold"] for p in scored["curve"]] == pytest.approx(list(THRESHOLDS))
    assert "room_a" in out and "every threshold" in out
    code, _, err = run("evaluate", "--model", tmp_path / "bundle", "--held-out-sources", "--json", report)
    assert code == 0, err
    assert json.loads(report.read_text())["held_out_sources"]["threshold"] == bundle.config.unknown_below
    # Trained again into the same folder without --loso, the folds' file would describe another model.
    code, _, err = run("train", "--data", *two_rooms(tmp_path), "--known", "up", "down", *TINY,
                       "--out", tmp_path / "bundle", "--cache", tmp_path / "cache")
    assert code == 0, err
    assert not (tmp_path / "bundle" / FOLD_PROBS_FILE).exists()
    code, _, err = run("evaluate", "--model", tmp_path / "bundle", "--held-out-sources")
    assert "it was trained without `--loso`. Train again with --loso" in user_error(code, err)


def test_run_says_unknown_on_motion_that_is_none_of_the_actions(open_world, tmp_path):
    labels = {}
    for motion in ("right", "up"):
        clip = write_motion_clip(tmp_path / f"{motion}.avi", motion, n_frames=60, shade=70)
        events = tmp_path / f"{motion}.jsonl"
        code, _, err = run("run", "--source", clip, "--model", open_world / "bundle", "--fast",
                           "--events", events)
        assert code == 0, err
        labels[motion] = Counter(json.loads(line)["label"] for line in events.read_text().splitlines())
    # Motion the model was taught is not one of its actions: "unknown", never "up" or "down".
    assert labels["right"].most_common(1)[0][0] == "unknown", labels
    assert labels["right"]["up"] + labels["right"]["down"] <= 0.1 * sum(labels["right"].values()), labels
    assert labels["up"]["up"] > labels["up"]["down"], labels


def test_evaluate_reports_false_alarms_on_footage_with_none_of_the_actions(open_world, tmp_path):
    none = tmp_path / "none"
    write_motion_clip(none / "street.avi", "right", n_frames=60, shade=90)
    report = tmp_path / "r.json"
    code, out, err = run("evaluate", "--model", open_world / "bundle", "--none", none, "--json", report,
                         "--cache", open_world / "cache")
    assert code == 0, err
    open_set = json.loads(report.read_text())["open_set"]
    assert open_set["none_clips"] == 1 and open_set["none_windows"] > 0
    assert open_set["false_alarm_rate"] <= 0.2
    assert "false alarms:" in out


def test_evaluate_on_screen_figures_are_what_run_shows_frame_by_frame(open_world, tmp_path):
    # Clips of the two actions it knows and one of motion it does not, all played through the app's smoothing.
    street = write_motion_clip(tmp_path / "none" / "street.avi", "right", n_frames=60, shade=90)
    known = [write_motion_clip(tmp_path / "data" / m / f"{m}.avi", m, n_frames=60, shade=70) for m in ("up", "down")]
    shown = {}
    for clip in (street, *known):
        events = tmp_path / f"{clip.stem}.jsonl"
        code, _, err = run("run", "--source", clip, "--model", open_world / "bundle", "--fast", "--events", events)
        assert code == 0, err
        labels = [json.loads(line)["label"] for line in events.read_text().splitlines()]
        # "" (no label yet) comes only before the first decision, and it counts for nothing.
        decided = next((k for k, label in enumerate(labels) if label), len(labels))
        assert all(labels[decided:]), labels
        shown[clip.stem] = labels[decided:]
    report = tmp_path / "r.json"
    code, out, err = run("evaluate", "--model", open_world / "bundle", "--data", tmp_path / "data",
                         "--none", tmp_path / "none", "--json", report, "--cache", open_world / "cache")
    assert code == 0, err
    assert "on screen (every frame" in out
    screen = json.loads(report.read_text())["open_set"]["on_screen"]
    # `run` shows a label on every frame with a window behind it and a decision, as the replay counts them.
    assert screen["none_frames"] == len(shown["street"]) > 0
    alarms = sum(label in ("up", "down") for label in shown["street"])
    assert screen["false_alarm_rate"] == pytest.approx(alarms / len(shown["street"]), abs=1e-4)
    # A known clip is named on screen when run showed its label longest, idle aside.
    rows = {Path(r["path"]).stem: r for r in screen["clips"]}
    busiest = {m: Counter(x for x in shown[m] if x != "idle").most_common(1)[0][0] for m in ("up", "down")}
    assert {m: rows[m]["shown"] for m in busiest} == busiest
    assert screen["known_clips"] == 2
    assert screen["known_clip_accuracy"] == sum(busiest[m] == m for m in busiest) / 2
    assert busiest["up"] == "up"


def test_evaluate_record_keeps_the_figures_in_the_bundle_and_its_card(open_world, tmp_path):
    import shutil

    bundle = shutil.copytree(open_world / "bundle", tmp_path / "bundle")
    none = tmp_path / "none"
    write_motion_clip(none / "street.avi", "right", n_frames=60, shade=90)
    code, out, err = run("evaluate", "--model", bundle, "--none", none, "--record", "street footage",
                         "--cache", open_world / "cache")
    assert code == 0, err
    row = load_bundle(bundle).metrics["evaluations"]["street footage"]
    assert row["none_clips"] == 1 and row["clips"][0]["path"] == "street.avi"
    assert "--record 'street footage'" in row["command"]
    card = (bundle / "MODEL_CARD.md").read_text()
    assert "## This model on other footage" in card
    screen = row["on_screen"]
    assert screen["none_clips"] == 1 and screen["clips"][0]["path"] == "street.avi"
    assert (f"| street footage | 0 | n/a | n/a | {row['none_windows']} | {100 * row['false_alarm_rate']:.1f}% "
            f"| {screen['none_frames']} | {100 * screen['false_alarm_rate']:.1f}% |") in card
    # The training figures are still there: recording adds, it does not replace.
    assert "## Leave-one-source-out" in card and load_bundle(bundle).metrics["command"].startswith("actionlens train")
