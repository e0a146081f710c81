"""`actionlens train-predictor` on clips and on Moving MNIST digits, end to end."""

from __future__ import annotations

import gzip
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from model.bundle import load_bundle
from tests.cli_helpers import run, user_error


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
    # Not a terminal: one plain line per epoch, no redrawn bar.
    assert "2/2 - " in stdout and "\r" not in stdout and "\x1b" not in stdout

    predictor_bytes = (out / "predictor.keras").read_bytes()
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    _write_idx3(mnist / "t10k-images-idx3-ubyte.gz", 4)
    monkeypatch.setattr("app.cli.train_predictor.MNIST_TRAIN_SEQUENCES", 8)
    monkeypatch.setattr("app.cli.train_predictor.MNIST_TEST_SEQUENCES", 2)
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


