"""`LiveCapture`: a camera or stream read into one latest-frame slot, with reconnects."""

from __future__ import annotations

import time

from app.capture.base import Capture
from app.capture.sources import CaptureFactory
from app.frames import Frame


class LiveCapture(Capture):
    """A camera or stream: one latest-frame slot; unread frames that get overwritten count
    in `dropped`. Frame index counts reads; `source_time` is seconds since `start()`.

    Args:
        source: camera index or URL.
        factory: creates a VideoCapture-like object (tests inject fakes).
        reconnect_s: how long to retry reopening after reads fail before ending.
    """

    is_live = True

    def __init__(
        self, source: int | str, *, factory: CaptureFactory | None = None, reconnect_s: float = 5.0
    ) -> None:
        super().__init__(source, factory=factory)
        self._reconnect_s = reconnect_s
        self._slot: Frame | None = None

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
            frame = Frame(image, index, now - start, now)
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
        deadline = time.monotonic() + self._reconnect_s
        delay = 0.1
        # Backoff: an unplugged camera needs a moment; hammering it helps nobody.
        while not self._stop.wait(max(0.0, min(delay, deadline - time.monotonic()))):
            cap = self._factory(self._source)
            if cap.isOpened():
                self._cap = cap
                return True
            cap.release()
            if time.monotonic() >= deadline:
                self.end_reason = (
                    f"{self.info.name}: stopped sending frames and did not come back within "
                    f"{self._reconnect_s:g} s. Check the cable or the stream, then open it again."
                )
                return False
            delay = min(delay * 2, 1.0)
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
