"""`LiveCapture`: a camera or stream read into one latest-frame slot, with reconnects.

When reads fail (a camera unplugged, a stream dropped), the capture says so through
`on_notice`, then tries to reopen the source with a growing pause between tries, and
says so again when it is back. A camera gets `reconnect_s` to come back; a stream
gets at least `STREAM_RECONNECT_S`, as a restarting IP camera or a network outage
takes longer than a USB plug. Only then does the source end, with `end_reason`.
"""

from __future__ import annotations

import time

from app.capture.base import Capture
from app.capture.sources import CaptureFactory, is_url
from app.frames import Frame

# An IP camera that reboots is back in 30-60 s.
STREAM_RECONNECT_S = 60.0
# Pauses between reopen attempts grow from the first to the last: quick for a cable
# that was only wiggled, gentle on a server that is down.
BACKOFF_S = (0.1, 2.0)


class LiveCapture(Capture):
    """A camera or stream: one latest-frame slot; unread frames that get overwritten count
    in `dropped`. Frame index counts reads; `source_time` is seconds since `start()`.

    Args:
        source: camera index or URL.
        factory: creates a VideoCapture-like object (tests inject fakes).
        reconnect_s: how long to retry reopening after reads fail before ending
            (streams: at least `STREAM_RECONNECT_S`).

    Attributes:
        reconnects: how many times the source came back after being lost.
    """

    is_live = True

    def __init__(
        self, source: int | str, *, factory: CaptureFactory | None = None, reconnect_s: float = 5.0
    ) -> None:
        super().__init__(source, factory=factory)
        self._reconnect_s = max(reconnect_s, STREAM_RECONNECT_S) if is_url(source) else reconnect_s
        self._slot: Frame | None = None
        self.reconnects = 0

    def _run(self) -> None:
        start = time.monotonic()
        index = 0
        while not self._stop.is_set():
            ok, image = self._cap.read()
            if not ok or image is None:
                if self._reconnect():
                    continue
                return
            now = time.monotonic()
            frame = Frame(image, index, now - start, now, live=True)
            index += 1
            self._count_read(now)
            with self._cond:
                if self._slot is not None:
                    self.dropped += 1
                self._slot = frame
                self._cond.notify_all()

    def _reconnect(self) -> bool:
        self._cap.release()
        self._cap = None
        name = self.info.name
        self._notify(f"{name}: lost; reconnecting (for up to {self._reconnect_s:g} s)...")
        lost_at = time.monotonic()
        deadline = lost_at + self._reconnect_s
        delay, max_delay = BACKOFF_S
        while not self._stop.wait(max(0.0, min(delay, deadline - time.monotonic()))):
            cap = self._factory(self._source)
            if cap.isOpened():
                self._cap = cap
                self.reconnects += 1
                self._notify(f"{name}: reconnected after {time.monotonic() - lost_at:.1f} s.")
                return True
            cap.release()
            if time.monotonic() >= deadline:
                self.end_reason = (
                    f"{name}: stopped sending frames and did not come back within "
                    f"{self._reconnect_s:g} s. Check the cable or the stream, then open it again."
                )
                return False
            delay = min(delay * 2, max_delay)
        return False

    def read(self, timeout: float | None = 0.1) -> Frame | None:
        """Return the latest unread frame, waiting up to `timeout` s (None: until one or end)."""
        with self._cond:
            self._cond.wait_for(lambda: self._slot is not None or self._done, timeout)
            frame, self._slot = self._slot, None
            if frame is not None:
                self.position = frame.index
            return frame

    @property
    def ended(self) -> bool:
        with self._lock:
            return self._done and self._slot is None

    @property
    def backlog(self) -> int:
        return int(self._slot is not None)
