"""Which runtime calls the models: LiteRT on a CPU, Keras on TensorFlow where a GPU is.

LiteRT needs neither TensorFlow nor Keras, so the app starts in a fraction of
the time and memory. TensorFlow stays for a CUDA GPU, which LiteRT's Python
interpreter does not use. Finding out whether there is one must not import
TensorFlow either, so it asks the NVIDIA driver instead.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

RUNTIMES = ("auto", "litert", "keras")
# Names in status lines and summaries.
RUNTIME_NAMES = {"litert": "LiteRT", "keras": "Keras"}


def cuda_gpu_present(driver_dir: str | os.PathLike = "/proc/driver/nvidia/gpus") -> bool:
    """Whether the NVIDIA driver lists a GPU (Linux); False elsewhere."""
    try:
        return any(Path(driver_dir).iterdir())
    except OSError:
        return False


def choose_runtime(runtime: str = "auto", device: str = "auto", *,
                   gpu_present: bool | None = None) -> tuple[str, str | None]:
    """Picks the runtime for a `--runtime` and `--device` request.

    Args:
        runtime: "auto", "litert" or "keras".
        device: "auto", "cpu" or "gpu".
        gpu_present: whether a CUDA GPU is there (default: ask the driver).

    Returns:
        (runtime, notice): runtime is "litert" or "keras"; notice is a line for the
        user when the request cannot be met as asked, else None.
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"`runtime` must be one of {', '.join(RUNTIMES)}. Received: runtime={runtime!r}")
    if runtime == "keras":
        return "keras", None
    if runtime == "litert":
        notice = "LiteRT runs on the CPU; --device gpu needs --runtime keras." if device == "gpu" else None
        return "litert", notice
    if device == "cpu":
        return "litert", None
    if device == "gpu":
        return "keras", None
    gpu = cuda_gpu_present() if gpu_present is None else gpu_present
    if gpu and importlib.util.find_spec("tensorflow") is not None:
        return "keras", None
    return "litert", None
