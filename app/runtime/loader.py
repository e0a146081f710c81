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
    path: str | Path, settings: EngineSettings, device_request: str = "auto", progress=None
) -> tuple[FrameProcessor, dict, str | None]:
    """Loads the bundle at `path` and wraps it for the inference thread.

    Args:
        path: the bundle folder.
        settings: the engine's current settings.
        device_request: "auto", "cpu" or "gpu".
        progress: called with a line per step when a pose model's BlazePose files
            are fetched (the first time only).

    Returns:
        (processor, info, notice): info is what the "model_loaded" event carries
        (summary, labels, device, frames, min_frames, max_frames, fps,
        has_predictor, idle_label, background_label, unknown_below, path, held_out_curve: named
        and false alarms on held-out sources per threshold, or []; held_out_pooled: the card's
        leave-one-source-out figures, or None); notice is a line for the user when the
        device request could not be met, else None.

    Raises:
        BundleError: the bundle is missing or broken (the message names the file).
        PoseModelsMissing: a pose model, and the BlazePose files could not be fetched
            (one line with the command that fetches them).
    """
    from app.runtime.inference import CompiledModels
    from model.backend import device_label, select_device
    from model.bundle import load_bundle

    bundle = load_bundle(path)
    device, notice = select_device(device_request)
    models = CompiledModels(bundle, device)
    label = device_label(device)
    tracker = None
    if bundle.config.uses_pose:
        from model.pose.fetch import fetch_pose_models
        from model.pose.tracker import PoseTracker

        tracker = PoseTracker.from_files(fetch_pose_models(progress=progress))
    processor = FrameProcessor(models, settings, device_label=label, pose_tracker=tracker)
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
        "pose_runtime": tracker.runtime_name if tracker is not None else "",
        "held_out_curve": _held_out_curve(path),
        # Bundles trained before the folds were kept still have the pooled figures of their card.
        "held_out_pooled": (bundle.metrics.get("loso") or {}).get("pooled"),
    }
    return processor, info, notice


def _held_out_curve(path: str | Path) -> list[dict]:
    """`threshold_curve` of the folds a `--loso` bundle kept; [] when it kept none."""
    from model.errors import DatasetError
    from model.eval.fold_probs import FOLD_PROBS_FILE, load_fold_probs, threshold_curve

    probs = Path(path) / FOLD_PROBS_FILE
    if not probs.is_file():
        return []
    try:
        return threshold_curve(load_fold_probs(probs)[1])
    except DatasetError:
        return []  # the model itself is fine: the settings just cannot quote held-out figures
