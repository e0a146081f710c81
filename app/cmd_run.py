"""`actionlens run`: process a source headless into an annotated video, events and segments.

Every output path is checked before the model loads (so an unwritable path fails
at once and leaves no file behind), every output is opened before the first
frame, and all are finalised in a `finally` block (so Ctrl-C or SIGTERM still
leave a playable video and complete logs).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

from app.engine import Engine
from app.settings import EngineSettings
from model.bundle import BundleError


def check_outputs(args: argparse.Namespace) -> None:
    """Fails with one line when an output cannot be written; creates nothing.

    Args:
        args: the parsed `run` arguments (`out`, `raw_out`, `events`, `segments`).

    Raises:
        OutputError: naming the path and what to do.
    """
    from app.event_log import SEGMENT_FORMATS, OutputError, check_output_path
    from app.recorder import FOURCC

    for path in (args.out, args.raw_out):
        if path and Path(path).suffix.lower() not in FOURCC:
            raise OutputError(
                f"Cannot record to {path}: unknown video extension {Path(path).suffix!r}; "
                "use .mp4 or .avi."
            )
    if args.segments and Path(args.segments).suffix.lower() not in SEGMENT_FORMATS:
        # Found only at the end of a run otherwise, after all the work.
        raise OutputError(
            f"Cannot write segments file {args.segments}: unknown extension "
            f"{Path(args.segments).suffix!r}; use .csv or .json."
        )
    named = [(args.out, "video"), (args.raw_out, "raw video"), (args.events, "events file"),
             (args.segments, "segments file")]
    for path, what in named:
        if path:
            check_output_path(path, what)


class RunOutputs:
    """The files a run writes; each optional, all closed by `close`.

    `write` runs on the engine's inference thread and `close` on the main thread;
    a lock keeps a late frame from reaching a recorder that is being closed.

    Args:
        args: the parsed `run` arguments.
        fps: frame rate stored in the videos (the source's).
        size: (height, width) of the source frames.
    """

    def __init__(self, args: argparse.Namespace, fps: float, size: tuple[int, int]):
        from app.event_log import EventLog, SegmentTracker
        from app.overlay import overlay_size
        from app.recorder import VideoRecorder

        self._lock = threading.Lock()
        self._closed = False
        self.segments_path = args.segments
        self.tracker = SegmentTracker()
        self.events = self.video = self.raw = None
        try:
            self.video = VideoRecorder(args.out, fps, overlay_size(*size)) if args.out else None
            self.raw = VideoRecorder(args.raw_out, fps, size) if args.raw_out else None
            self.events = EventLog(args.events) if args.events else None
        except BaseException:
            self._close_files()
            raise
        self.last_time = 0.0

    def write(self, frame, result, status: str) -> None:
        """Writes one frame (and its result, if any) to every output."""
        from app.overlay import render_overlay

        with self._lock:
            if self._closed:
                return
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

        with self._lock:
            self._closed = True
            written = self._close_files()
            self.tracker.finish(self.last_time)
            if self.segments_path:
                write_segments(self.segments_path, self.tracker.segments)
                written.append(str(self.segments_path))
        return written

    def _close_files(self) -> list[str]:
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
        return written


def main(args: argparse.Namespace) -> int:
    """Runs the engine over `args.source` until it ends or the user stops it."""
    from app.sources import parse_source, probe_source

    source = parse_source(args.source)
    info = probe_source(source)  # mutes OpenCV: a missing camera is our one-line error
    check_outputs(args)
    settings = EngineSettings(window=args.window, stride=args.stride)
    engine = Engine(settings, device=args.device)
    failure: list[str] = []
    ended = threading.Event()
    latencies: list[float] = []
    counts = {"frames": 0, "results": 0}
    outputs: list[RunOutputs] = []  # filled once the model is loaded
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
        outputs[0].write(frame, result, status)
        if args.max_frames and counts["frames"] >= args.max_frames:
            ended.set()

    engine.on("frame", on_frame)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    started = time.monotonic()
    interrupted = False
    written: list[str] = []
    stats: dict = {}
    try:
        engine.load_model(args.model)
        if not engine.wait_until_loaded():
            raise BundleError(failure[0] if failure else f"{args.model}: the model did not load")
        print(f"model: {engine.model_info['summary']} on {engine.device_label}", file=sys.stderr)
        outputs.append(RunOutputs(args, info.fps, (info.height, info.width)))
        engine.open_source(source, realtime=not args.fast, loop=False)
        _wait(ended, counts, info)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # A second SIGTERM must not cut the finalising short: that is what leaves files broken.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stats = engine.stats()  # before stop: closing the source resets its counters
            engine.stop()
            written = outputs[0].close() if outputs else []
        finally:
            signal.signal(signal.SIGTERM, previous)
    wall = time.monotonic() - started
    segments = outputs[0].tracker.segments if outputs else []
    _summary(counts, latencies, segments, wall, stats, written, interrupted, fast=args.fast)
    return 130 if interrupted else 0


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _report_end(reason: str | None) -> None:
    if reason:
        print(f"actionlens: {reason}", file=sys.stderr)


def _wait(ended: threading.Event, counts: dict, info) -> None:
    total = info.frame_count if info.kind == "file" else None
    try:
        while not ended.wait(0.25):
            done = counts["frames"]
            if total:
                filled = int(30 * min(done, total) / total)
                print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} frames", end="", file=sys.stderr)
            else:
                print(f"\r{done} frames (Ctrl-C to stop)", end="", file=sys.stderr)
    finally:
        print(file=sys.stderr)


def _summary(counts, latencies, segments, wall, stats, written, interrupted, fast: bool = False) -> None:
    per_label: Counter = Counter()
    for seg in segments:
        per_label[seg.label] += seg.end - seg.start
    lat = np.asarray(latencies) if latencies else np.zeros(1)
    print("stopped early; outputs finalised" if interrupted else "done")
    print(f"frames        {counts['frames']} ({counts['results']} with predictions)")
    print(f"fps           {counts['frames'] / max(wall, 1e-9):.1f} over {wall:.1f} s")
    # With --fast the decoder runs ahead, so a frame's latency includes its wait in the queue.
    queued = "  (includes queueing: --fast decodes ahead)" if fast else ""
    print(f"latency ms    p50 {np.percentile(lat, 50):.1f}  p99 {np.percentile(lat, 99):.1f}{queued}")
    print(f"dropped       {stats['dropped']}")
    print(f"device        {stats['device']}")
    if per_label:
        print("labels        " + ", ".join(f"{k} {v:.1f}s" for k, v in per_label.most_common()))
    for path in written:
        print(f"wrote         {path}")
