"""`actionlens export`: each format is written and checked against Keras; bad input is one line."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from model.config import ModelConfig
from tests.cli_helpers import run, user_error

HAVE_ONNX = all(importlib.util.find_spec(m) for m in ("tf2onnx", "onnxruntime"))



@pytest.fixture(scope="module")
def bundle(tmp_path_factory, keras) -> Path:
    """An untrained tiny bundle, weights scrambled so its outputs are not all alike."""
    from model.bundle import save_bundle
    from model.nets.networks import build_classifier

    config = ModelConfig(labels=("idle", "a", "b"), frames=4, min_frames=2, max_frames=8, size=16,
                         embed_dim=8, lstm_units=8)
    classifier = build_classifier(config)
    rng = np.random.default_rng(5)
    for var in classifier.weights:
        if "variance" not in var.path:  # a negative BatchNorm variance would give NaN
            var.assign(var.numpy() + rng.normal(0, 0.5, var.shape).astype("float32"))
    return save_bundle(tmp_path_factory.mktemp("bundle"), config, classifier)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        pytest.param("onnx", "m.onnx", marks=pytest.mark.skipif(
            not HAVE_ONNX, reason="tf2onnx/onnxruntime not installed (pip install 'actionlens[export]')")),
        ("tflite", "m.tflite"),
        ("savedmodel", "saved"),
    ],
)
def test_export_writes_the_format_and_prints_the_difference_to_keras(fmt, name, bundle, tmp_path):
    out = tmp_path / name
    code, stdout, err = run("export", "--model", bundle, "--format", fmt, "--out", out)
    assert code == 0, err
    assert out.exists() and (out.is_file() or (out / "saved_model.pb").is_file())
    assert f"wrote {out}" in stdout
    match = re.search(r"max abs difference vs Keras on a random window: (\S+)", stdout)
    assert match, stdout
    assert float(match.group(1)) < 1e-4


@pytest.mark.parametrize(
    ("make_model", "message"),
    [
        (lambda tmp, b: tmp / "nope", "no such model folder"),
        (lambda tmp, b: tmp, "not a model bundle (classifier.keras is missing)"),
    ],
    ids=["missing folder", "folder without a bundle"],
)
def test_export_without_a_bundle_is_one_line_and_exit_2(make_model, message, bundle, tmp_path):
    code, _, err = run("export", "--model", make_model(tmp_path, bundle), "--format", "tflite",
                       "--out", tmp_path / "m.tflite")
    assert code == 2
    assert err.strip().splitlines() == [err.strip()] and "Traceback" not in err
    assert err.startswith("actionlens: error:") and message in err
    assert not (tmp_path / "m.tflite").exists()


def test_unknown_format_is_refused_by_the_parser(bundle, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", "--model", str(bundle), "--format", "pt", "--out", str(tmp_path / "m.pt")])
    assert exc.value.code == 2
    assert "invalid choice: 'pt'" in capsys.readouterr().err


def test_export_litert_rewrites_the_bundles_runtime_files(bundle, tmp_path):
    import shutil

    from model.lite.files import LITE_FILE, complete, current_parts

    copy = shutil.copytree(bundle, tmp_path / "copy")
    for name in ("encoder.tflite", "head.tflite", LITE_FILE):
        (copy / name).unlink()
    assert not complete(current_parts(copy, copy), copy)
    code, stdout, err = run("export", "--model", copy, "--format", "litert")
    assert code == 0, err
    lines = stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["encoder", "head"]
    for line in lines:
        diff = float(re.search(r"vs Keras (\S+)$", line).group(1))
        assert 0.0 <= diff <= 1e-4
    assert complete(current_parts(copy, copy), copy)


def test_export_litert_does_not_rewrite_the_shipped_bundle_unless_named():
    from app.paths import DEFAULT_MODEL

    before = {p.name: p.stat().st_mtime_ns for p in DEFAULT_MODEL.iterdir()}
    code, _, err = run("export", "--format", "litert")
    assert "name the bundle with --model, or give --out a folder" in user_error(code, err)
    assert {p.name: p.stat().st_mtime_ns for p in DEFAULT_MODEL.iterdir()} == before


def test_export_other_formats_still_need_out(bundle):
    code, _, err = run("export", "--model", bundle, "--format", "onnx")
    assert code == 2 and "needs --out" in err and len(err.strip().splitlines()) == 1
