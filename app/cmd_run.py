"""`actionlens run`: process a source headless into an annotated video, events and segments.

Every output is opened before the first frame (so an unwritable path fails at
once) and finalised in a `finally` block (so Ctrl-C or SIGTERM still leave a
playable video and complete logs).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import Counter

import numpy as np

from app.engine import Engine
from app.settings import EngineSettings
from model.bundle import BundleError


class RunOutputs:
    """The files a run writes; each optional, all closed by `close`."""

    def __init__(self, args: argparse.Namespace, fps: float, size: tuple[int, int]):
        from app.event_log import EventLog, SegmentTracker
        from app.overlay import overlay_size
        from app.recorder import VideoRecorder

        self.events = EventLog(args.events) if args.events else None
        self.segments_path = args.segments
        self.tracker = SegmentTracker()
        if args.segments:
            from app.event_log import check_output_path

            check_output_path(args.segments, "segments file")
        self.video = VideoRecorder(args.out, fps, overlay_size(*size)) if args.out else None
        self.raw = VideoRecorder(args.raw_out, fps, size) if args.raw_out else None
        self.last_time = 0.0

    def write(self, frame, result, status: str) -> None:
        from app.overlay import render_overlay

        if self.video is not None:
            preview = None if result is None else result.predicted_frame
            self.video.write(render_overlay(frame.image, result, status=status, preview=preview))
        if self.raw is not None:
            self.raw.write(frame.image)
        if result is not None:
            self.tracker.update(result.source_time, result.label, result.confidence)
            if self.events is not None:
                self.events.write(result)
        self.last_time = frame.source_time

    def close(self) -> list[str]:
        """Finalises every output; returns the paths written."""
        from app.event_log import write_segments

        written = []
        for rec in (self.video, self.raw):
            if rec is not None:
                path = rec.close()
                if rec.error:
                    print(f"actionlens: recording stopped: {rec.error}", file=sys.stderr)
                if path:
                    written.append(str(path))
        if self.events is not None:
            self.events.close()
            written.append(str(self.events.path))
        self.tracker.finish(self.last_time)
        if self.segments_path:
            write_segments(self.segments_path, self.tracker.segments)
            written.append(str(self.segments_path))
        return written


def main(args: argparse.Namespace) -> int:
    """Runs the engine over `args.source` until it ends or the user stops it."""
    from app.sources import parse_source, probe_source

    source = parse_source(args.source)
    info = probe_source(source)
    outputs = RunOutputs(args, info.fps, (info.height, info.width))
    settings = EngineSettings(window=args.window, stride=args.stride)
    engine = Engine(settings, device=args.device)
    failure: list[str] = []
    ended = threading.Event()
    latencies: list[float] = []
    counts = {"frames": 0, "results": 0}
    engine.on("model_failed", failure.append)
    engine.on("error", lambda msg: print(f"actionlens: {msg}", file=sys.stderr))
    engine.on("source_ended", lambda reason: (_report_end(reason), ended.set()))

    def on_frame(frame, result) -> None:
        counts["frames"] += 1
        if result is not None:
            counts["results"] += 1
            latencies.append(result.latency_ms)
        st = engine.stats()
        status = f"{st['model_fps']:.0f} fps  {st['latency_ms']:.0f} ms  {st['device']}"
        outputs.write(frame, result, status)
        if args.max_frames and counts["frames"] >= args.max_frames:
            ended.set()

    engine.on("frame", on_frame)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    started = time.monotonic()
    interrupted = False
    try:
        engine.load_model(args.model)
        if not engine.wait_until_loaded():
            raise BundleError(failure[0] if failure else f"{args.model}: the model did not load")
        print(f"model: {engine.model_info['summary']} on {engine.device_label}", file=sys.stderr)
        engine.open_source(source, realtime=not args.fast, loop=False)
        _wait(ended, counts, info)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        engine.stop()
        written = outputs.close()
        signal.signal(signal.SIGTERM, previous)
    wall = time.monotonic() - started
    _summary(counts, latencies, outputs.tracker.segments, wall, engine, written, interrupted)
    return 130 if interrupted else 0


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _report_end(reason: str | None) -> None:
    if reason:
        print(f"actionlens: {reason}", file=sys.stderr)


def _wait(ended: threading.Event, counts: dict, info) -> None:
    total = info.frame_count if info.kind == "file" else None
    while not ended.wait(0.25):
        done = counts["frames"]
        if total:
            filled = int(30 * min(done, total) / total)
            print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} frames", end="", file=sys.stderr)
        else:
            print(f"\r{done} frames (Ctrl-C to stop)", end="", file=sys.stderr)
    print(file=sys.stderr)


def _summary(counts, latencies, segments, wall, engine, written, interrupted) -> None:
    stats = engine.stats()
    per_label: Counter = Counter()
    for seg in segments:
        per_label[seg.label] += seg.end - seg.start
    lat = np.asarray(latencies) if latencies else np.zeros(1)
    print("stopped early; outputs finalised" if interrupted else "done")
    print(f"frames        {counts['frames']} ({counts['results']} with predictions)")
    print(f"fps           {counts['frames'] / max(wall, 1e-9):.1f} over {wall:.1f} s")
    print(f"latency ms    p50 {np.percentile(lat, 50):.1f}  p99 {np.percentile(lat, 99):.1f}")
    print(f"dropped       {stats['dropped']}")
    print(f"device        {stats['device']}")
    if per_label:
        print("labels        " + ", ".join(f"{k} {v:.1f}s" for k, v in per_label.most_common()))
    for path in written:
        print(f"wrote         {path}")
