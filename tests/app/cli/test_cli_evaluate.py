"""`actionlens evaluate` on tiny motion clips: the JSON report, the plot, and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from model.config import ModelConfig
from tests.cli_helpers import run, user_error
from tests.video_fixtures import make_motion_dataset

LABELS = ("idle", "down", "right", "up")
NEXT_FRAME_KEYS = {"mse", "psnr", "ssim", "mse_copy_last", "psnr_copy_last", "ssim_copy_last"}




@pytest.fixture(scope="module")
def bundle(tmp_path_factory, keras) -> Path:
    """An untrained tiny bundle with a predictor; its weights are scrambled so answers vary."""
    from model.bundle import save_bundle
    from model.nets.networks import build_classifier
    from model.nets.predictor import build_predictor

    config = ModelConfig(labels=LABELS, frames=4, min_frames=2, max_frames=8, size=16,
                         embed_dim=8, lstm_units=8, predictor_filters=4)
    classifier = build_classifier(config)
    rng = np.random.default_rng(3)
    for var in classifier.weights:
        if "variance" not in var.path:  # a negative BatchNorm variance would give NaN
            var.assign(var.numpy() + rng.normal(0, 0.5, var.shape).astype("float32"))
    return save_bundle(tmp_path_factory.mktemp("bundle"), config, classifier, build_predictor(config))


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clip_cache")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """up, down, right x 1 group x 2 clips of 30 frames at 25 fps (12 frames at 10 fps)."""
    return make_motion_dataset(tmp_path_factory.mktemp("data"), groups=("g1",))


def test_evaluate_writes_a_consistent_json_report_and_a_plot(tmp_path, bundle, data, cache):
    report_path, plots = tmp_path / "report.json", tmp_path / "plots"
    code, out, err = run("evaluate", "--model", bundle, "--data", data, "--json", report_path,
                         "--plots", plots, "--cache", cache)
    assert code == 0, err
    report = json.loads(report_path.read_text())
    assert {"clip_accuracy", "window_accuracy", "labels", "confusion", "per_class", "clips",
            "windows", "next_frame"} <= set(report)
    assert report["labels"] == list(LABELS)
    cm = np.asarray(report["confusion"])
    assert cm.shape == (4, 4)
    # Rows are true labels: each row sums to that label's clip count.
    assert cm.sum(axis=1).tolist() == [0, 2, 2, 2]
    assert report["clip_accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    assert len(report["clips"]) == 6
    assert report["windows"] == 6 * 3  # 12 frames, T=4, stride 4: offsets 0, 4, 8
    assert set(report["per_class"]) == set(LABELS)
    assert [report["per_class"][k]["support"] for k in LABELS] == [0, 2, 2, 2]
    correct = sum(row["predicted"] == row["label"] for row in report["clips"])
    assert report["clip_accuracy"] == pytest.approx(correct / 6)
    assert NEXT_FRAME_KEYS <= set(report["next_frame"])
    assert all(np.isfinite(report["next_frame"][k]) for k in ("mse", "mse_copy_last", "ssim"))
    png = cv2.imread(str(plots / "confusion.png"))
    assert png is not None and png.shape[0] > 100
    assert "Clip accuracy:" in out and "next frame: PSNR" in out


def test_data_with_some_of_the_labels_and_no_predictor(tmp_path, bundle, cache):
    no_predictor = shutil.copytree(bundle, tmp_path / "bundle")
    (no_predictor / "predictor.keras").unlink()
    data = make_motion_dataset(tmp_path / "data", labels=("up", "down"), groups=("g1",), clips_per_group=1)
    code, _, err = run("evaluate", "--model", no_predictor, "--data", data, "--json", tmp_path / "r.json",
                       "--stride", "2", "--cache", cache)
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert np.asarray(report["confusion"]).sum(axis=1).tolist() == [0, 1, 0, 1]
    assert report["windows"] == 2 * 5  # offsets 0, 2, 4, 6, 8
    assert "next_frame" not in report


def test_clips_of_one_action_or_of_one_other_label_can_be_scored(tmp_path, bundle, cache):
    # Training needs two classes; asking how a model does on a few clips of one action does not.
    for label in ("up", "left"):
        data = make_motion_dataset(tmp_path / label, labels=(label,), groups=("g1",), clips_per_group=2)
        code, _, err = run("evaluate", "--model", bundle, "--data", data, "--json", tmp_path / "r.json",
                           "--cache", cache)
        assert code == 0, err
        open_set = json.loads((tmp_path / "r.json").read_text())["open_set"]
        known = label == "up"
        assert (open_set["known_clips"], open_set["none_clips"]) == ((2, 0) if known else (0, 2))


def test_undecodable_files_are_skipped_with_a_warning(tmp_path, bundle, data, cache):
    broken = shutil.copytree(data, tmp_path / "data")
    (broken / "up" / "zz_broken.avi").write_bytes(b"\0" * 300)
    with (broken / "manifest.csv").open("a") as f:
        f.write("up/zz_broken.avi,up,g1,toy\n")
    code, _, err = run("evaluate", "--model", bundle, "--data", broken, "--json", tmp_path / "r.json",
                       "--cache", cache)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "zz_broken.avi" in warnings[0]
    assert len(json.loads((tmp_path / "r.json").read_text())["clips"]) == 6


def _not_a_bundle(tmp: Path, bundle: Path, data: Path) -> list:
    (tmp / "empty").mkdir()
    return ["--model", tmp / "empty", "--data", data]


EVALUATE_ERRORS = {
    "nothing to evaluate": (lambda tmp, b, d: ["--model", b], "Nothing to evaluate"),
    "empty none folder": (lambda tmp, b, d: ["--model", b, "--none", tmp], "holds no videos"),
    "folder without a bundle": (_not_a_bundle, "not a model bundle (classifier.keras is missing)"),
    "missing model folder": (lambda tmp, b, d: ["--model", tmp / "nope", "--data", d], "no such model folder"),
    "missing data path": (lambda tmp, b, d: ["--model", b, "--data", tmp / "nope"], "Data path not found"),
    "zero stride": (lambda tmp, b, d: ["--model", b, "--data", d, "--stride", "0"], "`--stride` must be at least 1"),
    "held-out sources of a bundle without folds": (lambda tmp, b, d: ["--model", b, "--held-out-sources"],
                                                   "has no loso_probs.npz: it was trained without `--loso`"),
    "held-out sources of a missing folder": (lambda tmp, b, d: ["--model", tmp / "nope", "--held-out-sources"],
                                             "no such model folder"),
    "record with held-out sources alone": (lambda tmp, b, d: ["--model", b, "--held-out-sources", "--record", "x"],
                                           "`--record` and `--plots` need clips"),
    "record into the shipped bundle": (lambda tmp, b, d: ["--data", d, "--record", "my clips"],
                                       "`--record` writes into the bundle's model card: name the bundle with --model"),
    "threshold above 1": (lambda tmp, b, d: ["--model", b, "--data", d, "--threshold", "1.2"],
                          "`--threshold` must be a probability from 0 to 1. Received: 1.2"),
    "negative lead-in": (lambda tmp, b, d: ["--model", b, "--data", d, "--lead-in", "-1"],
                         "`--lead-in` must be 0 to 60 seconds. Received: -1.0"),
    "json in a missing folder": (lambda tmp, b, d: ["--model", b, "--data", d, "--json", tmp / "x" / "r.json"],
                                 "does not exist; create it first"),
    "plots is a file": (lambda tmp, b, d: ["--model", b, "--data", d, "--plots", b / "config.json"],
                        "it is a file; give a folder"),
}


def test_labels_the_model_does_not_know_count_as_false_alarm_footage(tmp_path, bundle, cache):
    # "left" is none of the model's actions: its windows are scored for false alarms, not refused.
    data = make_motion_dataset(tmp_path / "d", labels=("up", "left"), groups=("g1",), clips_per_group=1)
    code, out, err = run("evaluate", "--model", bundle, "--data", data, "--json", tmp_path / "r.json",
                         "--cache", cache)
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert [row["label"] for row in report["clips"]] == ["up"]  # the closed-set table: known labels only
    open_set = report["open_set"]
    assert open_set["known_clips"] == 1 and open_set["none_clips"] == 1
    left = [row for row in open_set["clips"] if row["label"] == "left"][0]
    assert 0.0 <= left["false_alarm_rate"] <= 1.0 and left["windows"] > 0
    assert "false alarms:" in out


@pytest.mark.parametrize("case", EVALUATE_ERRORS)
def test_bad_evaluate_input_is_one_line_and_exit_2(case, tmp_path, bundle, data, cache):
    make_args, message = EVALUATE_ERRORS[case]
    code, _, err = run("evaluate", *make_args(tmp_path, bundle, data), "--cache", cache)
    assert message in user_error(code, err)
