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

    def tick(self, now: float | None = None) -> None:
        """Counts one event at `now` (default: `time.monotonic()`)."""
        with self._lock:
            self._times.append(time.monotonic() if now is None else now)

    def rate(self, now: float | None = None) -> float:
        """Events per second over the last `window_s`; 0.0 with fewer than two."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [t for t in self._times if now - t <= self._window_s]
        if len(recent) < 2 or recent[-1] <= recent[0]:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


def frames_within(most: int, width: int | None, height: int | None, budget: int, least: int = 2) -> int:
    """How many BGR frames of width x height a queue may hold: `most`, fewer when they pass `budget` bytes.

    A queue of `least` frames still lets the producer and the consumer overlap.
    """
    if not width or not height:
        return most
    return max(least, min(most, budget // (int(width) * int(height) * 3)))
