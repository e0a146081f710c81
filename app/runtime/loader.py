"""Loading a bundle into a ready-to-run FrameProcessor: the work of the engine's loader thread.

Kept apart from the threads so it can be called (and tested) directly: it
imports TensorFlow, loads the bundle in safe mode, picks the device, and traces
every compiled call once, so the first real frame is as fast as the rest.
"""

from __future__ import annotations

from pathlib import Path

from app.runtime.processor import FrameProcessor
from app.settings import EngineSettings


def build_processor(
    path: str | Path, settings: EngineSettings, device_request: str = "auto"
) -> tuple[FrameProcessor, dict, str | None]:
    """Loads the bundle at `path` and wraps it for the inference thread.

    Args:
        path: the bundle folder.
        settings: the engine's current settings.
        device_request: "auto", "cpu" or "gpu".

    Returns:
        (processor, info, notice): info is what the "model_loaded" event carries
        (summary, labels, device, frames, min_frames, max_frames, fps,
        has_predictor, idle_label, background_label, unknown_below, path); notice is a line for the user when the
        device request could not be met, else None.

    Raises:
        BundleError: the bundle is missing or broken (the message names the file).
    """
    from app.runtime.inference import CompiledModels
    from model.backend import device_label, select_device
    from model.bundle import load_bundle

    bundle = load_bundle(path)
    device, notice = select_device(device_request)
    models = CompiledModels(bundle, device)
    label = device_label(device)
    processor = FrameProcessor(models, settings, device_label=label)
    models.warm_up(processor.settings.window)
    cfg = bundle.config
    info = {
        "summary": bundle.summary(),
        "labels": cfg.labels,
        "device": label,
        "frames": cfg.frames,
        "min_frames": cfg.min_frames,
        "max_frames": cfg.max_frames,
        "fps": cfg.fps,
        "has_predictor": bundle.predictor is not None,
        "idle_label": cfg.idle_label,
        "background_label": cfg.background_label,
        "unknown_below": cfg.unknown_below,
        "path": str(path),
    }
    return processor, info, notice
