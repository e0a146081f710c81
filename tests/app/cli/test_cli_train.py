"""`actionlens train` on tiny motion clips, end to end; train-predictor is in test_cli_train_predictor.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import model.train.classifier
from model.bundle import load_bundle
from tests.app.cli.train_helpers import TINY, TrainSpy, add_rows
from tests.cli_helpers import run, user_error
from tests.paths import REPO
from tests.video_fixtures import make_class_tree, make_motion_dataset

ROOT = REPO
BUNDLE_FILES = ("classifier.keras", "config.json", "labels.json", "metrics.json", "MODEL_CARD.md")




def test_train_writes_a_complete_bundle_that_loads_in_safe_mode(full_run):
    assert all((full_run["bundle"] / name).is_file() for name in BUNDLE_FILES)
    bundle = load_bundle(full_run["bundle"])
    assert bundle.labels == ("idle", "down", "right", "up")  # idle added, the rest sorted
    assert bundle.config.frame_shape == (16, 16, 1) and bundle.config.frames == 4
    assert bundle.config.symmetric_labels == ("down", "up")
    # The shipped recipe: the encoder sees each frame with its change.
    assert bundle.config.motion and bundle.config.motion_input == "pair"
    assert bundle.predictor is None
    metrics = full_run["metrics"]
    assert metrics["params"] == bundle.classifier.count_params()
    assert "epoch" not in metrics  # the finished run replaced the per-epoch saves
    assert f"wrote {full_run['bundle']}" in full_run["out"]


def test_holdout_group_is_reported_and_never_trained_on(full_run):
    assert full_run["calls"], "train_classifier was not called"
    for call in full_run["calls"]:
        assert "g3" not in call["groups"]
        assert call["val_clips"] == []  # nor used to pick the epoch
    holdout = full_run["metrics"]["holdout"]
    assert {row["group"] for row in holdout["clips"]} == {"g3"}
    assert len(holdout["clips"]) == 3
    cm = np.asarray(holdout["confusion"])
    assert holdout["clip_accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    assert "held-out clip accuracy" in full_run["out"]
    assert "## Held-out groups" in full_run["card"] and "clips of g3" in full_run["card"]


def test_cv_holds_out_each_group_once_and_reports_per_dataset(full_run):
    cv = full_run["metrics"]["cv"]
    folds = cv["folds"]
    assert [f["group"] for f in folds] == ["g1", "g2"]  # every group but the held-out one
    # The first len(folds) training runs are the folds, the last is the final model.
    assert len(full_run["calls"]) == len(folds) + 1
    for fold, call in zip(folds, full_run["calls"], strict=False):
        assert {row["group"] for row in fold["clips"]} == {fold["group"]}
        assert fold["group"] not in call["groups"] and call["groups"]
    assert full_run["calls"][-1]["groups"] == {"g1", "g2"}
    row = cv["per_dataset"]["toy"]
    assert set(row) >= {"clip_accuracy", "window_accuracy", "clips", "windows", "groups"}
    assert 0.0 <= row["clip_accuracy"] <= 1.0 and 0.0 <= row["window_accuracy"] <= 1.0
    assert row["clips"] == 6 and row["groups"] == 2
    card = full_run["card"]
    assert "## Leave-one-group-out accuracy" in card
    assert f"| toy | 2 | 6 | {100 * row['clip_accuracy']:.1f}% |" in card
    assert f"{100 * row['window_accuracy']:.1f}% |" in card


def test_broken_files_are_skipped_with_one_warning_each(full_run):
    warnings = [line for line in full_run["err"].splitlines() if line.startswith("warning: Skipped")]
    assert len(warnings) == 2
    assert any("g1_bad.avi" in w for w in warnings) and any("g2_cut.avi" in w for w in warnings)
    for call in full_run["calls"]:
        assert not call["files"] & {"g1_bad.avi", "g2_cut.avi"}


def test_card_notes_are_appended_to_the_model_card(full_run):
    assert full_run["card"].rstrip().endswith("Synthetic squares; says nothing about people.")
    assert "Synthetic squares" in full_run["metrics"]["card_notes"]


def test_balance_sources_is_off_unless_asked_and_reaches_training(tmp_path, data, cache, monkeypatch):
    spy = TrainSpy()
    monkeypatch.setattr(model.train.classifier, "train_classifier", spy)
    assert run("train", "--data", data, "--out", tmp_path / "a", *TINY, "--cache", cache)[0] == 0
    assert run("train", "--data", data, "--out", tmp_path / "b", *TINY, "--cache", cache, "--balance-sources")[0] == 0
    assert [c["balance_sources"] for c in spy.calls] == [False, True]
    assert "--balance-sources" in load_bundle(tmp_path / "b").metrics["command"]


def test_ctrl_c_keeps_the_last_saved_epoch_as_a_loadable_bundle(tmp_path, data, cache, monkeypatch):
    spy = TrainSpy(stop_after_epoch=2)
    monkeypatch.setattr(model.train.classifier, "train_classifier", spy)
    out = tmp_path / "bundle"
    code, _, err = run("train", "--data", data, "--out", out, *TINY, "--epochs", "3", "--cache", cache)
    assert code == 130
    assert f"interrupted: the best model so far is saved in {out}" in err
    assert "Traceback" not in err
    bundle = load_bundle(out)
    assert bundle.labels == ("idle", "down", "right", "up")
    assert bundle.metrics["epoch"] == 2
    assert "saved after epoch 2" in (out / "MODEL_CARD.md").read_text()


def test_no_idle_and_predictor_flags(tmp_path, data, cache):
    out = tmp_path / "bundle"
    code, _, err = run("train", "--data", data, "--out", out, *TINY, "--no-idle", "--predictor",
                       "--predictor-epochs", "1", "--motion-input", "flow", "--cache", cache)
    assert code == 0, err
    bundle = load_bundle(out)
    assert bundle.labels == ("down", "right", "up")
    assert bundle.config.idle_label == ""
    assert bundle.config.motion_input == "flow"
    encoder = bundle.classifier.get_layer("per_frame").layer
    assert any(layer.name == "normal_flow" for layer in encoder.layers)
    assert bundle.predictor is not None
    predictor = bundle.metrics["predictor"]
    assert {"mse", "psnr", "ssim", "mse_copy_last", "psnr_copy_last", "ssim_copy_last"} <= set(predictor)
    assert predictor["split"] == "training clips"
    assert "## Next-frame predictor (real clips)" in (out / "MODEL_CARD.md").read_text()


def _one_class(tmp: Path, data: Path) -> list:
    return ["--data", make_class_tree(tmp / "d", {"up": ["a.avi", "b.avi"]})]


def _empty_class(tmp: Path, data: Path) -> list:
    root = make_class_tree(tmp / "d", {"up": ["a.avi"], "down": ["b.avi"]})
    (root / "right").mkdir()
    return ["--data", root]


def _missing_file(tmp: Path, data: Path) -> list:
    root = make_motion_dataset(tmp / "d", clips_per_group=1)
    add_rows(root, [("up/gone.avi", "up", "g1")])
    return ["--data", root]


def _all_broken(tmp: Path, data: Path) -> list:
    root = tmp / "d"
    for label in ("up", "down"):
        (root / label).mkdir(parents=True)
        (root / label / "x.avi").write_bytes(b"\0" * 500)
    return ["--data", root]


def _out_is_file(tmp: Path, data: Path) -> list:
    (tmp / "taken").write_text("")
    return ["--data", data, "--out", tmp / "taken"]


TRAIN_ERRORS = {
    "missing data path": (lambda tmp, data: ["--data", tmp / "nope"], "Data path not found"),
    "empty class folder": (_empty_class, "has no videos"),
    "manifest row without file": (_missing_file, "video up/gone.avi not found"),
    "only one class": (_one_class, "Only one class ('up')"),
    "unknown arch": (lambda tmp, data: ["--data", data, "--arch", "resnet"],
                     "`--arch` must be one of cnn_lstm, convlstm, renet. Received: --arch resnet"),
    "window longer than every clip": (lambda tmp, data: ["--data", data, "--frames", "64"],
                                      "Every clip is shorter than the window"),
    "frames too small": (lambda tmp, data: ["--data", data, "--size", "4"], "`size` must be >= 8"),
    "zero epochs": (lambda tmp, data: ["--data", data, "--epochs", "0"], "`--epochs` must be at least 1"),
    "a still start for a pixel model": (lambda tmp, data: ["--data", data, "--decide-from", "4"],
                                        "`--decide-from` needs `--features pose`"),
    "pose holdout that leaves a label no clip": (
        lambda tmp, data: ["--data", data, "--features", "pose", "--holdout-groups", "g1", "g2"],
        "`--holdout-groups` leaves no clip of down, right, up to train on"),
    "two rates for a pixel model": (lambda tmp, data: ["--data", data, "--fast-frames", "8"],
                                    "`--fast-frames` needs `--features pose`"),
    "two rates no shorter than the window": (
        lambda tmp, data: ["--data", data, "--features", "pose", "--frames", "16", "--fast-frames", "16"],
        "bad training option: `fast_frames` (two rates) needs"),
    "a second head for a pixel model": (lambda tmp, data: ["--data", data, "--short-head-frames", "8"],
                                        "`--short-head-frames` needs `--features pose`"),
    "legs for a pixel model": (lambda tmp, data: ["--data", data, "--needs-legs", "jumping_jack"],
                               "`--needs-legs` needs `--features pose`"),
    "legs for a label the data lacks": (
        lambda tmp, data: ["--data", data, "--features", "pose", "--needs-legs", "jumping_jack"],
        "bad training option: `needs_legs` must name labels of the model"),
    "repeats for a pixel model": (lambda tmp, data: ["--data", data, "--needs-repeats", "wave"],
                                  "`--needs-repeats` needs `--features pose`"),
    "repeats for a label the data lacks": (
        lambda tmp, data: ["--data", data, "--features", "pose", "--needs-repeats", "wave_two_hands"],
        "bad training option: `needs_repeats` must name labels of the model"),
    "a second head longer than the window": (
        lambda tmp, data: ["--data", data, "--features", "pose", "--frames", "8", "--short-head-frames", "12"],
        "bad training option: `short_head_frames` (a second, shorter head) needs"),
    "a fixed threshold for a pixel model": (lambda tmp, data: ["--data", data, "--unknown-below", "0.7"],
                                            "`--unknown-below` needs `--features pose`"),
    "a fixed threshold above 1": (lambda tmp, data: ["--data", data, "--features", "pose", "--unknown-below", "1.5"],
                                  "`--unknown-below` must be a probability between 0 and 1. Received: 1.5"),
    "unknown symmetric label": (lambda tmp, data: ["--data", data, "--symmetric", "jump"],
                                "`--symmetric` names label(s) the data does not have: jump"),
    "unknown holdout group": (lambda tmp, data: ["--data", data, "--holdout-groups", "g9"],
                              "Unknown holdout group(s) g9"),
    "nothing decodes": (_all_broken, "None of the 2 clips could be loaded"),
    "missing card notes": (lambda tmp, data: ["--data", data, "--card-notes", tmp / "no.md"],
                           "`--card-notes` must be a readable Markdown file"),
    "out is a file": (_out_is_file, "it is a file; give a folder"),
    "cv with one group left": (lambda tmp, data: ["--data", data, "--cv", "--holdout-groups", "g1"],
                               "needs at least 2 groups"),
    "cv datasets match nothing": (lambda tmp, data: ["--data", data, "--cv", "--cv-datasets", "kth"],
                                  "`--cv-datasets` kth matches no clip"),
    "flow on an encoder without flow": (
        lambda tmp, data: ["--data", data, "--arch", "renet", "--motion-input", "flow"],
        "`motion_input`='flow' needs `arch`='cnn_lstm' with `motion` on"),
}


@pytest.mark.parametrize("case", TRAIN_ERRORS)
def test_bad_train_input_is_one_line_and_exit_2(case, tmp_path, data, cache):
    make_args, message = TRAIN_ERRORS[case]
    args = make_args(tmp_path, data)
    if "--out" not in args:
        args += ["--out", tmp_path / "bundle"]
    code, _, err = run("train", *TINY, *args, "--cache", cache)  # the case's options come last and win
    assert message in user_error(code, err)
    assert not (tmp_path / "bundle" / "classifier.keras").exists()


def test_console_error_is_exactly_one_line_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "app", "train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "b")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"actionlens: error: Data path not found: {tmp_path / 'nope'}. "
        "Pass a folder with manifest.csv or one folder per class."
    ]
