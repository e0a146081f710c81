"""model.backend: a quiet Keras import and a device choice that never fails for lack of a GPU."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import model.backend as backend
from tests.paths import REPO

ROOT = REPO


def _fake_devices(monkeypatch, gpus: list[str]) -> None:
    info = {"backend": "tensorflow", "gpus": gpus, "summary": f"GPU: {gpus[0]}" if gpus else "CPU only"}
    monkeypatch.setattr(backend, "describe_devices", lambda: info)


def test_import_keras_returns_keras_on_tensorflow(keras):
    import keras as real_keras

    assert backend.import_keras() is real_keras
    assert keras.backend.backend() == "tensorflow"


@pytest.mark.slow
def test_import_keras_prints_nothing_to_stderr():
    # A bare `import tensorflow` prints oneDNN and CUDA notices; import_keras must not.
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")}
    env["PYTHONPATH"] = str(ROOT)
    code = "from model.backend import import_keras; print(import_keras().backend.backend())"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "tensorflow"
    assert proc.stderr == ""


def test_gpu_requested_without_a_gpu_falls_back_to_cpu_with_a_notice(monkeypatch):
    _fake_devices(monkeypatch, [])
    device, notice = backend.select_device("gpu")
    assert device == "/CPU:0"
    assert notice and "GPU" in notice and "CPU" in notice


@pytest.mark.parametrize("requested", ["auto", "cpu"])
def test_auto_and_cpu_without_a_gpu_are_silent(monkeypatch, requested):
    _fake_devices(monkeypatch, [])
    assert backend.select_device(requested) == ("/CPU:0", None)


def test_gpu_is_used_when_present_unless_cpu_is_asked(monkeypatch):
    _fake_devices(monkeypatch, ["NVIDIA H100"])
    assert backend.select_device("gpu") == ("/GPU:0", None)
    assert backend.select_device("auto") == ("/GPU:0", None)
    assert backend.select_device("cpu") == ("/CPU:0", None)
    assert backend.device_label("/GPU:0") == "NVIDIA H100"
    assert backend.device_label("/CPU:0") == "CPU"


def test_select_device_on_this_machine_never_raises(keras):
    device, notice = backend.select_device("gpu")
    info = backend.describe_devices()
    assert set(info) == {"backend", "gpus", "summary"}
    if info["gpus"]:
        assert (device, notice) == ("/GPU:0", None)
        assert info["summary"] == f"GPU: {info['gpus'][0]}"
    else:
        assert device == "/CPU:0" and notice
        assert info["summary"] == "CPU only"


@pytest.mark.parametrize("requested", ["tpu", "GPU:1", ""])
def test_unknown_device_raises_naming_the_argument(requested):
    with pytest.raises(ValueError) as err:
        backend.select_device(requested)
    msg = str(err.value)
    assert "`device`" in msg
    assert msg.endswith(f"Received: device={requested!r}")
