"""`actionlens run`: process a source headless into an annotated video, events and segments.

Every output path is checked before the model loads (so an unwritable path fails
at once and leaves no file behind), every output is opened before the first
frame, and all are finalised in a `finally` block (so Ctrl-C or SIGTERM leave a
complete video and logs). The files are playable and parseable at every moment
besides, so even SIGKILL costs only the last seconds; a file that fails mid-run
(a full disk) says so in one line and the run goes on. The files themselves are
app/outputs/run_outputs.py's.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import Counter

import numpy as np

from app.cli.fetch_pose import TerminalBar
from app.outputs.lines import inherited_fd
from app.outputs.overlay import status_text
from app.outputs.run_outputs import RunOutputs, check_outputs
from app.runtime.engine import Engine
from app.settings import EngineSettings
from model.bundle import BundleError


def main(args: argparse.Namespace) -> int:
    """Runs the engine over `args.source` until it ends or the user stops it."""
    from app.capture import open_capture
    from app.capture.sources import is_url, parse_source

    source = parse_source(args.source)
    check_outputs(args)
    settings = EngineSettings(window=args.window, stride=args.stride, max_people=args.max_people)
    engine = Engine(settings, device=args.device, runtime=args.runtime)
    failure: list[str] = []
    ended = threading.Event()
    latencies: list[float] = []
    counts = {"frames": 0, "results": 0}
    outputs: list[RunOutputs] = []  # filled once the model is loaded
    engine.events.model_failed.connect(failure.append)
    engine.events.error_raised.connect(lambda msg: print(f"actionlens: {msg}", file=sys.stderr))
    fetch_bar = TerminalBar()  # the BlazePose download on first use: bytes and rate
    engine.events.fetch_progressed.connect(fetch_bar)
    engine.events.model_failed.connect(lambda _why: fetch_bar.close())
    engine.events.source_ended.connect(lambda reason: (_report_end(reason), ended.set()))

    def on_frame(frame, result) -> None:
        counts["frames"] += 1
        if result is not None:
            counts["results"] += 1
            latencies.append(result.latency_ms)
        outputs[0].write(frame, result)
        if args.max_frames and counts["frames"] >= args.max_frames:
            ended.set()

    engine.events.frame_ready.connect(on_frame)
    # Opened once and kept: a single-client stream server or camera refuses a second connection.
    # A file or camera is opened now, so a wrong path or a missing camera fails before the model
    # loads; a stream only once the model is ready, or it would pile up seconds of video in its
    # connection and burst through them when reading starts.
    capture = None if is_url(source) else open_capture(source, realtime=not args.fast, loop=False)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    started = time.monotonic()
    interrupted = False
    written: list[str] = []
    stats: dict = {}
    try:
        engine.load_model(args.model)
        if not engine.wait_until_loaded():
            raise BundleError(failure[0] if failure else f"{args.model}: the model did not load")
        print(f"model: {engine.model_info['summary']} on {engine.device_label} "
              f"with {engine.runtime_label}", file=sys.stderr)
        model = engine.model_info
        if args.window and args.window != model["window"]:
            print(f"actionlens: --window {args.window} is outside what this model takes "
                  f"({model['min_frames']} to {model['max_frames']} steps); using {model['window']}.",
                  file=sys.stderr)
        if capture is None:
            capture = open_capture(source, realtime=not args.fast, loop=False)
        info = capture.info
        outputs.append(RunOutputs(args, info.fps, (info.height, info.width),
                                  status=lambda: status_text(engine.stats()),
                                  every_frame=info.kind == "file",
                                  idle_label=engine.model_info.get("idle_label") or "idle"))
        engine.open_source(source, capture=capture)
        _wait(ended, counts, capture)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # A second SIGTERM must not cut the finalising short: that is what leaves files broken.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stats = engine.stats()  # before stop: closing the source resets its counters
            engine.stop()
            if capture is not None:
                capture.stop()  # already stopped by the engine once it took it; else released here
            written = outputs[0].close() if outputs else []
        finally:
            signal.signal(signal.SIGTERM, previous)
    wall = time.monotonic() - started
    segments = outputs[0].tracker.segments if outputs else []
    # Events or segments piped to stdout stay pure JSON lines / CSV: the summary goes to stderr.
    piped = any(inherited_fd(path) == 1 for path in (args.events, args.segments) if path)
    _summary(counts, latencies, segments, wall, stats, written, interrupted, fast=args.fast,
             out=sys.stderr if piped else sys.stdout, source=_source_rate(capture))
    return 130 if interrupted else 0


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _report_end(reason: str | None) -> None:
    if reason:
        print(f"actionlens: {reason}", file=sys.stderr)


# Into a log file or a pipe, progress is a plain line this often (in 0.25 s ticks), not a redrawn bar.
_PLAIN_EVERY_TICKS = 20


def _source_rate(capture) -> str:
    """The source's rate for the summary: a file's own, a live source's as measured over the run."""
    if capture is None:
        return ""
    if capture.is_live:
        return f"{capture.info.kind}, {capture.mean_fps():.1f} fps measured"
    return f"file, {capture.info.fps:.4g} fps"


def _wait(ended: threading.Event, counts: dict, capture) -> None:
    info = capture.info
    total = info.frame_count if info.kind == "file" else None
    # A bar redrawn with carriage returns is for a terminal; a log gets whole lines.
    redraw = sys.stderr.isatty()
    tick = 0
    try:
        while not ended.wait(0.25):
            tick += 1
            if not redraw and tick % _PLAIN_EVERY_TICKS:
                continue
            done = counts["frames"]
            if total:
                filled = int(30 * min(done, total) / total)
                bar = f"[{'#' * filled}{'.' * (30 - filled)}] " if redraw else ""
                text = f"{bar}{done}/{total} frames"
            else:
                # What the camera or stream really delivers, not the rate it reports.
                text = f"{done} frames, {info.kind} {capture.source_fps():.1f} fps (Ctrl-C to stop)"
            print(f"\r{text}" if redraw else text, end="" if redraw else "\n", file=sys.stderr)
    finally:
        if redraw:
            print(file=sys.stderr)


def _summary(counts, latencies, segments, wall, stats, written, interrupted, fast: bool = False,
             out=None, source: str = "") -> None:
    per_label: Counter = Counter()
    for seg in segments:
        per_label[seg.label] += seg.end - seg.start
    lat = np.asarray(latencies) if latencies else np.zeros(1)
    print("stopped early; outputs finalised" if interrupted else "done", file=out)
    print(f"frames        {counts['frames']} ({counts['results']} with predictions)", file=out)
    if source:
        print(f"source        {source}", file=out)
    # Frames through the model per second of the whole run, model loading included.
    print(f"processed     {counts['frames'] / max(wall, 1e-9):.1f} fps over {wall:.1f} s", file=out)
    # With --fast the decoder runs ahead, so a frame's latency includes its wait in the queue.
    queued = "  (includes queueing: --fast decodes ahead)" if fast else ""
    print(f"latency ms    p50 {np.percentile(lat, 50):.1f}  p99 {np.percentile(lat, 99):.1f}{queued}", file=out)
    print(f"dropped       {stats['dropped']}", file=out)
    print(f"device        {stats['device']}", file=out)
    print(f"runtime       {stats.get('runtime') or '-'}", file=out)
    people = stats.get("people")
    if people:
        # A new id where a track had just ended is most likely the same person renamed.
        print(f"people        {people['ids']} ids, {people['id_switches']} id switches", file=out)
    if per_label:
        print("labels        " + ", ".join(f"{k} {v:.1f}s" for k, v in per_label.most_common()), file=out)
    for path in written:
        print(f"wrote         {path}", file=out)
