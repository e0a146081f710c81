"""The TFLite runner: LiteRT's delegate note is kept off stderr, and nothing else is."""

import os
from pathlib import Path

import numpy as np

from model.lite.interpreter import TFLiteModel, _without_delegate_note

ENCODER = Path(__file__).resolve().parents[3] / "assets" / "models" / "default" / "encoder.tflite"


def test_native_stderr_passes_through_without_the_delegate_note(capfd):
    with _without_delegate_note():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\nreal trouble\n")
    err = capfd.readouterr().err
    assert "XNNPACK" not in err
    assert err == "real trouble\n"


def test_loading_and_running_a_model_prints_nothing(capfd):
    model = TFLiteModel(ENCODER, threads=1)
    out = model(np.zeros(model.input_shape, np.float32))
    assert out[0].shape[0] == 1
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
