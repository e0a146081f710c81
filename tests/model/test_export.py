"""Exports a tiny bundled classifier to each format and checks it against Keras."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest

from model.bundle import BundleError
from model.config import ModelConfig
from model.export import FORMATS, ExportError, export_model

TOL = 1e-4
HAVE_ONNX = all(importlib.util.find_spec(m) for m in ("tf2onnx", "onnxruntime"))


@pytest.fixture(scope="module", params=["plain", "flow"])
def bundle_dir(request, tmp_path_factory):
    """A bundle with a tiny CNN-LSTM whose weights are scrambled, so outputs are not all 1/3.

    "flow" is the shipped recipe: motion pairs turned into normal flow inside the encoder.
    """
    from model.backend import import_keras

    import_keras()
    from model.bundle import save_bundle
    from model.nets.networks import build_classifier

    config = ModelConfig(
        labels=("a", "b", "c"), size=16, frames=4, min_frames=2, max_frames=8,
        embed_dim=8, lstm_units=8,
    )
    if request.param == "flow":
        config = config.replace(motion=True, motion_input="flow")
    model = build_classifier(config)
    rng = np.random.default_rng(1)
    for var in model.weights:
        if "variance" not in var.path:  # a negative BatchNorm variance would give NaN
            var.assign(var.numpy() + rng.normal(0, 0.5, var.shape).astype("float32"))
    return save_bundle(tmp_path_factory.mktemp("bundle"), config, model)


def _check(result: dict, fmt: str) -> None:
    assert result["format"] == fmt
    assert result["max_abs_diff"] < TOL
    assert result["bytes"] > 1000
    assert result["window"] == 4


@pytest.mark.skipif(not HAVE_ONNX, reason="tf2onnx/onnxruntime not installed (pip install 'actionlens[export]')")
def test_onnx_matches_keras_for_any_batch_and_window(bundle_dir, tmp_path):
    result = export_model(bundle_dir, "onnx", tmp_path / "m.onnx")
    _check(result, "onnx")
    import onnxruntime as ort

    from model.bundle import load_bundle

    keras_model = load_bundle(bundle_dir).classifier
    session = ort.InferenceSession(result["path"], providers=["CPUExecutionProvider"])
    # Batch and time stay dynamic in ONNX: a different batch and window still agree.
    x = np.random.default_rng(2).random((3, 7, 16, 16, 1), dtype=np.float32)
    got = session.run(["probs"], {"frames": x})[0]
    np.testing.assert_allclose(got, keras_model(x, training=False).numpy(), atol=TOL)


def test_tflite_matches_keras_with_fixed_window(bundle_dir, tmp_path):
    result = export_model(bundle_dir, "tflite", tmp_path, window=6)
    assert result["path"].endswith("classifier.tflite")
    assert result["max_abs_diff"] < TOL
    assert result["window"] == 6
    assert "select_tf_ops" not in result  # builtin ops are enough once batch and time are fixed
    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "tf.lite.Interpreter is deprecated"
        interpreter = tf.lite.Interpreter(model_path=result["path"])
    assert tuple(interpreter.get_input_details()[0]["shape"]) == (1, 6, 16, 16, 1)


def test_savedmodel_matches_keras(bundle_dir, tmp_path):
    result = export_model(bundle_dir / "classifier.keras", "savedmodel", tmp_path / "sm")
    _check(result, "savedmodel")
    assert (tmp_path / "sm" / "saved_model.pb").is_file()


def test_unknown_format_lists_formats(bundle_dir, tmp_path):
    with pytest.raises(ExportError, match="`fmt` must be one of onnx, tflite, savedmodel") as info:
        export_model(bundle_dir, "coreml", tmp_path / "m")
    assert "Received: fmt='coreml'" in str(info.value)
    assert set(FORMATS) == {"onnx", "tflite", "savedmodel"}


def test_missing_model_is_bundle_error(tmp_path):
    with pytest.raises(BundleError, match="no such model folder"):
        export_model(tmp_path / "nope", "savedmodel", tmp_path / "sm")


def test_window_outside_trained_range(bundle_dir, tmp_path):
    with pytest.raises(ExportError, match=r"`window` must be in \[2, 8\].*Received: window=9"):
        export_model(bundle_dir, "savedmodel", tmp_path / "sm", window=9)


def test_missing_onnx_tools_say_how_to_install(bundle_dir, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name in ("tf2onnx", "onnxruntime"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ExportError, match=r"pip install 'actionlens\[export\]'") as info:
        export_model(bundle_dir, "onnx", tmp_path / "m.onnx")
    assert "\n" not in str(info.value)
