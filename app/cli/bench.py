"""`actionlens bench`: the cached engine against naive per-window predict, in one run.

Figures, all from the same process and the same model:
- naive_predict_ms: `model.predict` on a full window, as seed code does per frame (Keras only)
  (all per-call times are medians, robust to a descheduled call on a shared machine);
- engine_ms_per_frame: one frame through the cached path (encoder once, head on
  cached embeddings), without the next-frame predictor;
- speedup: the first over the second;
- latency_ms_p50/p99 and dropped_frames: a live source paced at 30 fps,
  every frame classified, capture to result;
- pose_ms_per_frame: BlazePose on one frame, tracking (pose models only);
- next_frame_ms: one predictor call, and preview_hz: new predicted frames per
  second in the live run; peak_rss_mb (with frames_held_mb of decoded frames that the
  paced camera replays); runtime ("LiteRT" or "Keras", see `--runtime`); device.

With `--people N` (pose models), the same figures with N real people side by side in
view, each followed with their own label (`max_people` N; the clip is made from real
footage at run time, `app.cli.bench_people`), plus people_in_view (the mean number
listed per classified frame) and ms_per_frame_per_person (engine_ms_per_frame over it).

Without `--runtime`, both runtimes are measured side by side, each in its own process,
with the launch-to-first-label time of `actionlens run` (`app.cli.bench_compare`).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np

from app.cli.process_memory import MIB, current_rss_mb, own_peak_rss_mb
from app.frames import Frame
from app.runtime.engine import Engine
from app.settings import EngineSettings
from model.bundle import BundleError


def _timed(fn, n: int, max_s: float = 2.0) -> float:
    """Median ms of `n` calls after one warm-up call, or fewer (at least 3) when they
    would take longer than `max_s`: a slow path is clear soon enough.

    The median, not the mean: on a shared machine one descheduled call can cost more
    than a hundred normal ones, and that says nothing about the code.
    """
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < n and (len(times) < 3 or time.perf_counter() - start < max_s):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1000.0


def _frames(args: argparse.Namespace):
    from app.capture.paced_camera import load_frames, synthetic_frames
    from app.paths import DEMO_CLIP

    if args.people:
        import tempfile

        from app.cli.bench_people import people_clip

        with tempfile.TemporaryDirectory() as tmp:
            return load_frames(people_clip(args.people, tmp, args.people_data), 300)
    frames = load_frames(DEMO_CLIP, 300) if Path(DEMO_CLIP).is_file() else []
    return frames or synthetic_frames()


def _settings(args: argparse.Namespace, **kwargs) -> EngineSettings:
    return EngineSettings(max_people=args.people or 1, **kwargs)


def _check_people(args: argparse.Namespace) -> None:
    if not args.people:
        return
    from model.bundle_files import load_config

    if not load_config(args.model).uses_pose:
        raise BundleError(f"{args.model}: `--people` needs a pose model (this one classifies pixels). "
                          "Pass --model of a pose bundle, or leave out --people.")


def measure_paths(args: argparse.Namespace, frames) -> dict:
    """Naive predict (Keras only) vs the cached engine path vs the predictor, on one model."""
    from app.runtime.loader import build_processor
    from model.preprocess import preprocess_frame

    proc, info, notice = build_processor(
        args.model, _settings(args, predictor_every=0), args.device,
        progress=lambda line: print(line, file=sys.stderr), runtime_request=args.runtime)
    if notice:
        print(f"actionlens: {notice}", file=sys.stderr)
    models, cfg, tracker = proc.models, proc.config, proc.pose_tracker
    pixels = np.stack([preprocess_frame(f, cfg) for f in frames[: cfg.frames]])[None]
    pose_ms = None
    if tracker is not None:
        from model.pose.features import pose_features

        window = np.stack([pose_features(tracker(f)) for f in frames[: cfg.frames]])[None]
        step = iter(range(10**9))
        # Tracking from frame to frame, as live: the landmark model on each frame, the detector when lost.
        pose_ms = _timed(lambda: tracker(frames[next(step) % len(frames)]), 100)
        tracker.reset()
    else:
        window = pixels
    naive = None
    if info["runtime"] == "Keras":  # what seed code does per frame; LiteRT has no such path
        naive = _timed(lambda: models.bundle.classifier.predict(window, verbose=0), 20)
    clock = [0.0]
    listed: list[int] = []

    def one_frame():
        clock[0] += 1 / 30.0
        i = int(clock[0] * 30)
        result = proc.process(Frame(frames[i % len(frames)], i, clock[0], time.monotonic()))
        if result is not None and result.people is not None:
            listed.append(len(result.people))

    for _ in range(cfg.frames * 3):
        one_frame()  # fill the window first: an empty window skips the head
    engine_ms = _timed(one_frame, 300)
    # Everyone's work is per person: BlazePose's landmarks, the encoder, a head call each.
    in_view = float(np.mean(listed)) if listed else None
    next_ms = None
    if models.predictor is not None:
        ctx = np.repeat(pixels[0, -1:], cfg.predictor_frames, axis=0)
        next_ms = _timed(lambda: models.predict_next(ctx), 30)
    return {
        "model": str(args.model),
        "runtime": info["runtime"],
        "window": cfg.frames,
        "frame_shape": list(cfg.frame_shape),
        "naive_predict_ms": naive,
        "engine_ms_per_frame": engine_ms,
        "speedup": naive / engine_ms if naive is not None else None,
        "next_frame_ms": next_ms,
        "pose_ms_per_frame": pose_ms,
        "pose_runtime": tracker.runtime_name if tracker is not None else None,
        "people": args.people,
        "people_in_view": in_view,
        "ms_per_frame_per_person": engine_ms / in_view if in_view else None,
        "device": info["device"],
    }


def measure_live(args: argparse.Namespace, frames, n_frames: int, fps: float = 30.0) -> dict:
    """Runs the whole engine on a paced 30 fps camera; every frame classified."""
    from app.capture.paced_camera import PacedCamera

    engine = Engine(_settings(args), device=args.device, runtime=args.runtime)
    latencies: list[float] = []
    shown = [0]
    done = threading.Event()
    previews: list[float] = []  # when each new next-frame prediction arrived
    last_preview = [None]

    def on_frame(frame, result):
        shown[0] += 1
        if result is not None:
            latencies.append(result.latency_ms)
            # Results repeat the newest prediction; a new array is a new prediction.
            if result.predicted_frame is not None and result.predicted_frame is not last_preview[0]:
                last_preview[0] = result.predicted_frame
                previews.append(time.monotonic())
        if shown[0] >= n_frames:
            done.set()

    failure: list[str] = []
    engine.events.frame_ready.connect(on_frame)
    engine.events.source_ended.connect(lambda reason: done.set())
    engine.events.model_failed.connect(failure.append)
    try:
        engine.load_model(args.model)
        if not engine.wait_until_loaded():
            raise BundleError(failure[0] if failure else f"{args.model}: the model did not load")
        camera = PacedCamera(frames, fps=fps, limit=n_frames + 60)
        t0 = time.monotonic()
        engine.open_source(0, factory=lambda source: camera)
        rss = [current_rss_mb()]
        while not done.wait(1.0):
            rss.append(current_rss_mb())
            if args.soak_seconds and time.monotonic() - t0 > args.soak_seconds:
                break
        wall = time.monotonic() - t0
        stats = engine.stats()
    finally:
        engine.stop()  # the inference thread is not a daemon: an error must not leave it running
    # None, not NaN, when nothing was classified: NaN is not valid JSON.
    p50, p99 = (float(np.percentile(latencies, q)) for q in (50, 99)) if latencies else (None, None)
    return {
        "live_fps": fps,
        "live_frames_shown": shown[0],
        "live_frames_classified": len(latencies),
        "latency_ms_p50": p50,
        "latency_ms_p99": p99,
        "dropped_frames": int(stats["dropped"]),
        "model_fps": shown[0] / wall if wall > 0 else 0.0,
        "preview_hz": (len(previews) - 1) / (previews[-1] - previews[0]) if len(previews) > 1 else 0.0,
        "rss_mb_start": rss[0],
        "rss_mb_end": rss[-1],
    }


def main(args: argparse.Namespace) -> int:
    """Prints a table of the figures and writes them to --json."""
    if args.json:
        from app.outputs.files import check_output_path

        check_output_path(args.json, "JSON file")
    _check_people(args)
    if args.runtime == "both":
        from app.cli.bench_compare import main as compare

        return compare(args)
    frames = _frames(args)
    out = measure_paths(args, frames)
    n = args.frames if not args.soak_seconds else int(args.soak_seconds * 30) + 30
    out.update(measure_live(args, frames, n))
    out["peak_rss_mb"] = own_peak_rss_mb()
    # The decoded frames the paced camera replays are in every RSS figure above; the app's own
    # memory is the rest (`bench_compare`'s first_label run measures the app alone).
    out["frames_held_mb"] = sum(f.nbytes for f in frames) / MIB
    out["date"] = time.strftime("%Y-%m-%d")
    for key, value in out.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{key:<24} {shown}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0
