"""`actionlens train` and `actionlens train-predictor` on tiny motion clips, end to end."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run, user_error
from video_fixtures import make_class_tree, make_motion_dataset, truncate, write_motion_clip

import model.train
from model.bundle import load_bundle

ROOT = Path(__file__).resolve().parents[1]
# Tiny but real: 16 px, 4-frame windows, 1-2 epochs of 2 batches of 4.
TINY = ["--size", "16", "--frames", "4", "--epochs", "1", "--steps", "2", "--batch", "4"]
BUNDLE_FILES = ("classifier.keras", "config.json", "labels.json", "metrics.json", "MODEL_CARD.md")




def add_rows(root: Path, rows: list[tuple[str, str, str]]) -> None:
    """Appends (path, label, group) rows to root/manifest.csv."""
    with (root / "manifest.csv").open("a", newline="") as f:
        csv.writer(f).writerows([[p, label, group, "toy"] for p, label, group in rows])


class TrainSpy:
    """Wraps `model.train.train_classifier` to record which groups each run trained on."""

    def __init__(self, stop_after_epoch: int | None = None):
        self.calls: list[dict] = []
        self.real = model.train.train_classifier
        self.stop_after_epoch = stop_after_epoch

    def __call__(self, clips, config, settings, **kwargs):
        self.calls.append({"groups": {r.group for r, _ in clips}, "files": {r.path.name for r, _ in clips},
                           "val_clips": list(kwargs.get("val_clips", ()))})
        save = kwargs.get("on_epoch_end")
        if self.stop_after_epoch is not None:
            def save_then_stop(m, epoch, logs):
                save(m, epoch, logs)
                if epoch + 1 == self.stop_after_epoch:
                    raise KeyboardInterrupt  # as Ctrl-C would, just after the epoch's save

            kwargs["on_epoch_end"] = save_then_stop
        return self.real(clips, config, settings, **kwargs)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clip_cache")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """3 classes (up, down, right) x 2 groups x 1 clip of 30 frames at 25 fps."""
    return make_motion_dataset(tmp_path_factory.mktemp("data"), clips_per_group=1)


@pytest.fixture(scope="module")
def full_data(tmp_path_factory) -> Path:
    """3 classes x 3 groups, plus an undecodable and a truncated file that must be skipped."""
    root = make_motion_dataset(tmp_path_factory.mktemp("full"), groups=("g1", "g2", "g3"), clips_per_group=1)
    (root / "up" / "g1_bad.avi").write_bytes(b"not a video at all" * 50)
    truncate(write_motion_clip(root / "down" / "g2_cut.avi", "down", n_frames=40), keep=0.4)
    add_rows(root, [("up/g1_bad.avi", "up", "g1"), ("down/g2_cut.avi", "down", "g2")])
    return root


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, full_data, cache) -> dict:
    """One run with everything on: cross-validation, a held-out group, notes, skipped files."""
    tmp = tmp_path_factory.mktemp("full_run")
    notes = tmp / "notes.md"
    notes.write_text("## Data\n\nSynthetic squares; says nothing about people.\n")
    spy = TrainSpy()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(model.train, "train_classifier", spy)
        code, out, err = run("train", "--data", full_data, "--out", tmp / "bundle", *TINY, "--cv",
                             "--holdout-groups", "g3", "--symmetric", "up", "down",
                             "--card-notes", notes, "--cache", cache)
    assert code == 0, err
    bundle = tmp / "bundle"
    return {"out": out, "err": err, "bundle": bundle, "calls": spy.calls,
            "metrics": json.loads((bundle / "metrics.json").read_text()),
            "card": (bundle / "MODEL_CARD.md").read_text()}


def test_train_writes_a_complete_bundle_that_loads_in_safe_mode(full_run):
    assert all((full_run["bundle"] / name).is_file() for name in BUNDLE_FILES)
    bundle = load_bundle(full_run["bundle"])
    assert bundle.labels == ("idle", "down", "right", "up")  # idle added, the rest sorted
    assert bundle.config.frame_shape == (16, 16, 1) and bundle.config.frames == 4
    assert bundle.config.symmetric_labels == ("down", "up")
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


def test_ctrl_c_keeps_the_last_saved_epoch_as_a_loadable_bundle(tmp_path, data, cache, monkeypatch):
    spy = TrainSpy(stop_after_epoch=2)
    monkeypatch.setattr(model.train, "train_classifier", spy)
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
                       "--predictor-epochs", "1", "--cache", cache)
    assert code == 0, err
    bundle = load_bundle(out)
    assert bundle.labels == ("down", "right", "up")
    assert bundle.config.idle_label == ""
    assert bundle.predictor is not None
    predictor = bundle.metrics["predictor"]
    assert {"mse", "psnr", "ssim", "mse_copy_last", "psnr_copy_last", "ssim_copy_last"} <= set(predictor)
    assert predictor["split"] == "training clips"
    assert "## Next-frame predictor (real clips)" in (out / "MODEL_CARD.md").read_text()


def _write_idx3(path: Path, n: int, magic: int = 2051) -> Path:
    digits = (np.random.default_rng(0).random((n, 28, 28)) > 0.7).astype(np.uint8) * 255
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">IIII", magic, n, 28, 28) + digits.tobytes())
    return path


def test_train_predictor_adds_a_predictor_and_moving_mnist_adds_figures(
    tmp_path, full_run, full_data, cache, monkeypatch
):
    out = shutil.copytree(full_run["bundle"], tmp_path / "bundle")
    code, stdout, err = run("train-predictor", "--data", full_data, "--out", out, "--epochs", "1",
                            "--steps", "2", "--batch", "4", "--holdout-groups", "g3", "--cache", cache)
    assert code == 0, err
    bundle = load_bundle(out)
    assert bundle.predictor is not None and bundle.labels == ("idle", "down", "right", "up")
    report = bundle.metrics["predictor"]
    for key in ("mse", "psnr", "ssim"):
        assert np.isfinite(report[key]) and np.isfinite(report[f"{key}_copy_last"])
    assert report["split"] == "held-out groups (g3)" and report["pairs"] > 0
    assert "cv" in bundle.metrics and "holdout" in bundle.metrics  # earlier figures are kept
    card = (out / "MODEL_CARD.md").read_text()
    assert "## Next-frame predictor (real clips)" in card and "Synthetic squares" in card
    assert "next frame (held-out groups (g3)): PSNR" in stdout

    predictor_bytes = (out / "predictor.keras").read_bytes()
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    _write_idx3(mnist / "t10k-images-idx3-ubyte.gz", 4)
    monkeypatch.setattr("app.cmd_train_predictor.MNIST_TRAIN_SEQUENCES", 8)
    monkeypatch.setattr("app.cmd_train_predictor.MNIST_TEST_SEQUENCES", 2)
    code, stdout, err = run("train-predictor", "--moving-mnist", mnist, "--out", out, "--epochs", "1",
                            "--steps", "2", "--batch", "4")
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    mm = metrics["predictor_moving_mnist"]
    assert {"mse", "psnr", "ssim", "mse_copy_last", "psnr_copy_last", "ssim_copy_last"} <= set(mm)
    assert mm["pairs"] == 2 * 8  # 2 test sequences of 20 frames, context 4, stride 2
    assert "predictor" in metrics
    # The 64 px digit predictor does not replace the one that fits this model's frames.
    assert (out / "predictor.keras").read_bytes() == predictor_bytes
    assert "## Next-frame predictor (Moving MNIST)" in (out / "MODEL_CARD.md").read_text()
    assert "next frame (Moving MNIST, test digits): PSNR" in stdout


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


MNIST_ERRORS = {
    "neither data nor digits": (lambda tmp: [], "pass --data CLIPS or --moving-mnist DIGITS_DIR"),
    "no digits file": (lambda tmp: ["--moving-mnist", tmp], "no MNIST images"),
    "labels file instead": (lambda tmp: ["--moving-mnist", _write_idx3(tmp / "l.gz", 4, magic=2049)],
                            "labels files (idx1) are the common mix-up"),
    "one digit": (lambda tmp: ["--moving-mnist", _write_idx3(tmp / "one.gz", 1)], "at least 2 digit images"),
}


@pytest.mark.parametrize("case", MNIST_ERRORS)
def test_bad_train_predictor_input_is_one_line_and_exit_2(case, tmp_path):
    make_args, message = MNIST_ERRORS[case]
    code, _, err = run("train-predictor", *make_args(tmp_path), "--out", tmp_path / "b", "--epochs", "1")
    assert message in user_error(code, err)


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
