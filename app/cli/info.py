"""`actionlens info`: versions, Keras backend, devices and the default model."""

from __future__ import annotations

import argparse
import platform
import sys


def main(args: argparse.Namespace) -> int:
    """Prints what a bug report needs, one fact per line."""
    import cv2
    import numpy as np

    from app.paths import DEFAULT_MODEL, DEMO_CLIP
    from app.qt.display import qt_versions
    from model.backend import describe_devices, import_keras

    keras = import_keras()
    devices = describe_devices()
    rows = [
        ("actionlens", _package_version("actionlens") or "unknown (not installed)"),
        ("python", platform.python_version()),
        ("numpy", np.__version__),
        ("opencv", cv2.__version__),
        ("keras", keras.__version__),
        ("backend", devices["backend"]),
    ]
    if devices["backend"] == "tensorflow":
        import tensorflow as tf

        rows.append(("tensorflow", tf.__version__))
    rows.append(("devices", devices["summary"] if not devices["gpus"] else ", ".join(devices["gpus"])))
    rows.append(("litert", _package_version("ai-edge-litert") or "not installed (TensorFlow Lite runs the models)"))
    rows.append(("pyqt6", qt_versions()))
    rows.append(("default model", _model_summary(DEFAULT_MODEL)))
    rows.append(("demo clip", str(DEMO_CLIP)))
    rows.append(("pose models", _pose_summary()))
    rows.append(("app runtime", _runtime_summary(DEFAULT_MODEL)))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _package_version(name: str) -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version(name)
    except PackageNotFoundError:
        return None


def _pose_summary() -> str:
    """Where the BlazePose models are and what runs them, or the command that fetches them."""
    from model.lite.interpreter import runtime_name
    from model.pose.fetch import FETCH_COMMAND, cached_pose_models, pose_cache_dir

    found = cached_pose_models()
    where = f"{pose_cache_dir()}" if found else f"not fetched yet (`{FETCH_COMMAND}`)"
    return f"{where}; run with {runtime_name()}"


def _runtime_summary(path) -> str:
    """What `--runtime auto` picks here, and whether the default bundle carries its LiteRT files."""
    from app.runtime.runtime_choice import RUNTIME_NAMES, choose_runtime
    from model.lite.bundle import lite_parts_found

    runtime, _ = choose_runtime("auto", "auto")
    why = "a CUDA GPU is here" if runtime == "keras" else "no CUDA GPU"
    files = "current" if lite_parts_found(path) else "missing or stale (converted on first load)"
    return f"{RUNTIME_NAMES[runtime]} ({why}; --runtime to choose); the default model's LiteRT files: {files}"


def _model_summary(path) -> str:
    from model.bundle import BundleError, load_bundle

    try:
        bundle = load_bundle(path)
    except BundleError as err:
        return f"unavailable: {err}"
    metrics = bundle.metrics or {}
    line = bundle.summary()
    params = bundle.classifier.count_params()
    line += f"; {params:,} parameters"
    per_dataset = (metrics.get("cv") or {}).get("per_dataset") or {}
    if per_dataset:
        figures = ", ".join(f"{name} {row['clip_accuracy']:.1%}" for name, row in per_dataset.items())
        line += f"; leave-one-group-out clip accuracy {figures}"
    return line


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(argparse.Namespace()))
