"""Bytes against a total, and the rate: what a download's progress bar says, in words."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# The rate is measured over the last few seconds, so a stall shows within them.
RATE_SPAN_S = 3.0


class ByteRate:
    """Follows a download's (bytes so far, total) updates; says them as one short phrase.

    Args:
        clock: seconds, monotonic (tests pass their own).
        span_s: the rate is measured over updates this recent.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, span_s: float = RATE_SPAN_S) -> None:
        self._clock = clock
        self._span_s = span_s
        self._samples: deque[tuple[float, int]] = deque()
        self.done = 0
        self.total = 0

    def update(self, done: int, total: int) -> None:
        """Records `done` bytes of `total` (0: unknown) at this moment."""
        now = self._clock()
        self.done, self.total = int(done), int(total)
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._span_s:
            self._samples.popleft()

    @property
    def rate(self) -> float:
        """Bytes per second over the recent span; 0.0 before two updates."""
        if len(self._samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0

    @property
    def finished(self) -> bool:
        """Whether every byte of a known total has come."""
        return self.total > 0 and self.done >= self.total

    def text(self) -> str:
        """E.g. "12.0 of 35.6 MB, 2.1 MB/s"; "12.0 MB, 2.1 MB/s" without a total."""
        got = f"{_mb(self.done)} of {_mb(self.total)} MB" if self.total else f"{_mb(self.done)} MB"
        return f"{got}, {_mb(self.rate)} MB/s"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f}"
