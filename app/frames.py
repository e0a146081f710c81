"""The frame record that travels from capture to the label on screen, and the rate meter
that counts frames per second along the way."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass
class Frame:
    """One decoded frame and where and when it came from.

    Attributes:
        image: uint8 frame as decoded: gray (h, w), BGR (h, w, 3) or BGRA (h, w, 4).
        index: the frame's index in its source (0-based; live sources count reads).
        source_time: seconds from the start of the source (index / fps for files,
            capture clock for live sources).
        captured_at: `time.monotonic()` when the frame was read, so latency is
            measured from capture to result rather than guessed.
        live: from a camera or stream: `source_time` is when the frame arrived, so the
            gaps between frames are the source's real timing (recordings keep them);
            False for a file, whose frames are 1 / fps apart by definition.
    """

    image: np.ndarray
    index: int
    source_time: float
    captured_at: float
    live: bool = False


class RateMeter:
    """Events per second over about the last second, e.g. frames read or labels shown.

    Thread-safe: one thread ticks, another reads.
    """

    def __init__(self, window_s: float = 1.0, max_events: int = 1024) -> None:
        self._window_s = window_s
        self._times: deque[float] = deque(maxlen=max_events)
        self._lock = threading.Lock()
        self._count = 0
        self._first = 0.0

    def tick(self, now: float | None = None) -> None:
        """Counts one event at `now` (default: `time.monotonic()`)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if not self._count:
                self._first = now
            self._count += 1
            self._times.append(now)

    def mean_rate(self) -> float:
        """Events per second from the first event to the last; 0.0 with fewer than two."""
        with self._lock:
            if self._count < 2 or self._times[-1] <= self._first:
                return 0.0
            return (self._count - 1) / (self._times[-1] - self._first)

    def rate(self, now: float | None = None) -> float:
        """Events per second over the last `window_s`; 0.0 with fewer than two."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [t for t in self._times if now - t <= self._window_s]
        if len(recent) < 2 or recent[-1] <= recent[0]:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def clear(self) -> None:
        """Forgets every event."""
        with self._lock:
            self._times.clear()
            self._count = 0


def source_rate_text(kind: str, source_fps: float, read_fps: float) -> str:
    """How fast the source goes, for the status line and `run`'s lines (ASCII only).

    A file's own rate and the rate it is processed at are two numbers (with --fast,
    or a slow machine, they differ); a camera's or stream's rate is what was measured,
    never what it claims (an MJPEG stream over HTTP always claims 25).

    Args:
        kind: "file", "camera" or "stream" (`SourceInfo.kind`); "" when none is open.
        source_fps: a file's own fps, or a live source's measured rate.
        read_fps: frames read per second now (a file's processing rate).

    Returns:
        e.g. "file 60 fps | processing 20.0 fps", "stream 10.0 fps" or "source 0.0 fps".
    """
    if kind == "file":
        return f"file {source_fps:.4g} fps | processing {read_fps:.1f} fps"
    if kind:
        return f"{kind} {source_fps:.1f} fps"
    return f"source {read_fps:.1f} fps"


def frames_within(most: int, width: int | None, height: int | None, budget: int, least: int = 2) -> int:
    """How many BGR frames of width x height a queue may hold: `most`, fewer when they pass `budget` bytes.

    A queue of `least` frames still lets the producer and the consumer overlap.
    """
    if not width or not height:
        return most
    return max(least, min(most, budget // (int(width) * int(height) * 3)))
