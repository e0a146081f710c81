"""Loading a bundle into a ready-to-run FrameProcessor: the work of the engine's loader thread.

Kept apart from the threads so it can be called (and tested) directly: it picks
the runtime (`app.runtime.runtime_choice`), loads the bundle's TFLite files for
LiteRT, or its Keras models in safe mode on TensorFlow's device, and runs every
call once, so the first real frame is as fast as the rest.
"""

from __future__ import annotations

from pathlib import Path

from app.runtime.processor import FrameProcessor
from app.runtime.runtime_choice import choose_runtime
from app.settings import EngineSettings
from model.bundle import BundleError
from model.errors import first_line
from model.lite.bundle import LiteUnavailable


def build_processor(
    path: str | Path, settings: EngineSettings, device_request: str = "auto", progress=None,
    runtime_request: str = "auto", on_bytes=None,
) -> tuple[FrameProcessor, dict, str | None]:
    """Loads the bundle at `path` and wraps it for the inference thread.

    Args:
        path: the bundle folder.
        settings: the engine's current settings.
        device_request: "auto", "cpu" or "gpu".
        progress: called with a line per step when a pose model's BlazePose files
            are fetched, or a bundle is converted for LiteRT (the first time only).
        runtime_request: "auto", "litert" or "keras" (see `app.runtime.runtime_choice`).
        on_bytes: called with (bytes so far, total bytes) while the BlazePose files download.

    Returns:
        (processor, info, notice): info is what the "model_loaded" event carries
        (summary, labels, device, runtime ("LiteRT" or "Keras"), frames, window (the one in use), min_frames, max_frames, fps,
        has_predictor, idle_label, background_label, unknown_below, path, held_out_curve: named
        and false alarms on held-out sources per threshold, or []; held_out_pooled: the card's
        leave-one-source-out figures, or None); notice is a line for the user when the
        device or runtime request could not be met as asked, else None.

    Raises:
        BundleError: the bundle is missing or broken (the message names the file).
        LiteUnavailable: LiteRT was asked for and the bundle cannot run on it (one line why).
        PoseModelsMissing: a pose model, and the BlazePose files could not be fetched
            (one line with the command that fetches them).
    """
    runtime, notice = choose_runtime(runtime_request, device_request)
    models = None
    if runtime == "litert":
        try:
            models, label = _lite_models(path, progress, settings.window), "CPU"
        except BundleError:
            raise  # missing or broken for either runtime: the message names the file
        except (LiteUnavailable, OSError, ValueError, RuntimeError) as err:
            # A read-only cache, a file this LiteRT cannot open, an allocation that fails: the
            # Keras models still run, so only an explicit --runtime litert stops here.
            first = first_line(err)
            if runtime_request == "litert":
                raise err if isinstance(err, LiteUnavailable) else LiteUnavailable(
                    f"{path}: cannot run on LiteRT ({first}).") from None
            notice = f"{first} Running on Keras instead."
    if models is None:
        models, label, device_notice = _keras_models(path, device_request, settings.window)
        notice = notice or device_notice
    tracker = None
    if models.config.uses_pose:
        from model.pose.fetch import fetch_pose_models
        from model.pose.tracker import PoseTracker

        tracker = PoseTracker.from_files(fetch_pose_models(progress=progress, on_bytes=on_bytes))
    processor = FrameProcessor(models, settings, device_label=label, pose_tracker=tracker)
    cfg = models.config
    info = {
        "summary": models.bundle.summary(),
        "runtime": models.runtime_name,
        "labels": cfg.labels,
        "device": label,
        "frames": cfg.frames,
        "window": processor.settings.window,
        "min_frames": cfg.min_frames,
        "max_frames": cfg.max_frames,
        "fps": cfg.fps,
        "has_predictor": models.predictor is not None,
        "idle_label": cfg.idle_label,
        "background_label": cfg.background_label,
        "unknown_below": cfg.unknown_below,
        "path": str(path),
        "pose_runtime": tracker.runtime_name if tracker is not None else "",
        "held_out_curve": _held_out_curve(path),
        # Bundles trained before the folds were kept still have the pooled figures of their card.
        "held_out_pooled": (models.bundle.metrics.get("loso") or {}).get("pooled"),
    }
    return processor, info, notice


def _lite_models(path: str | Path, progress, window: int | None):
    # No TensorFlow on this path, unless the bundle must be converted once. Every call is run
    # once here (and each interpreter allocated), inside the caller's fallback to Keras.
    from app.runtime.lite_models import LiteModels
    from model.lite.bundle import load_lite_bundle

    models = LiteModels(load_lite_bundle(path, progress=progress))
    models.warm_up(models.config.window_for(window))
    return models


def _keras_models(path: str | Path, device_request: str, window: int | None):
    from app.runtime.inference import CompiledModels
    from model.backend import device_label, select_device
    from model.bundle import load_bundle

    bundle = load_bundle(path)
    device, notice = select_device(device_request)
    models = CompiledModels(bundle, device)
    models.warm_up(bundle.config.window_for(window))  # traces every compiled call once
    return models, device_label(device), notice


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
