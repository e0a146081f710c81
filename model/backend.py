"""Imports TensorFlow and Keras quietly, and says which device they will use.

TensorFlow prints several lines to stderr at import (oneDNN notices, CUDA
probes) before its logging is configured. They scare users and bury real
errors, so the import runs with the log level set and stderr muted, and any
real import error is re-raised with stderr restored.
"""

from __future__ import annotations

import contextlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

_devices_cache: dict | None = None


@contextlib.contextmanager
def _muted_stderr():
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def import_keras():
    """Returns the `keras` module, importing its backend quietly the first time."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    with _muted_stderr():
        if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
            import tensorflow  # noqa: F401
        import keras
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    if "tensorflow" in sys.modules:
        # Retracing notices (a new window length, a second model) are expected here, not news.
        sys.modules["tensorflow"].get_logger().setLevel("ERROR")
    return keras


def describe_devices() -> dict:
    """Lists the accelerators the backend sees.

    Returns:
        {"backend": str, "gpus": [names], "summary": "GPU: <name>" or "CPU only"}.
    """
    global _devices_cache
    if _devices_cache is not None:
        return _devices_cache
    keras = import_keras()
    backend = keras.backend.backend()
    gpus: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        for dev in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(dev)
            gpus.append(details.get("device_name", dev.name))
    elif backend == "jax":
        import jax

        gpus = [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    _devices_cache = {
        "backend": backend,
        "gpus": gpus,
        "summary": f"GPU: {gpus[0]}" if gpus else "CPU only",
    }
    return _devices_cache


def select_device(requested: str = "auto") -> tuple[str, str | None]:
    """Chooses where inference runs.

    Args:
        requested: "auto", "cpu" or "gpu".

    Returns:
        (device, notice): device is a TensorFlow device string such as
        "/CPU:0" or "/GPU:0"; notice is a line for the user when the request
        could not be met (a GPU asked for where there is none), else None.
    """
    if requested not in ("auto", "cpu", "gpu"):
        raise ValueError(f"`device` must be auto, cpu or gpu. Received: device={requested!r}")
    gpus = describe_devices()["gpus"]
    if requested == "cpu":
        return "/CPU:0", None
    if gpus:
        return "/GPU:0", None
    if requested == "gpu":
        return "/CPU:0", "No GPU found; running on the CPU."
    return "/CPU:0", None


def device_label(device: str) -> str:
    """A short name for status lines: the GPU's name, or "CPU"."""
    if device.upper().startswith("/GPU"):
        gpus = describe_devices()["gpus"]
        return gpus[0] if gpus else "GPU"
    return "CPU"
