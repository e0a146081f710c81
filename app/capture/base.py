"""The `Capture` base class: the capture thread's lifetime, counters and timing.

The thread opens, reads and releases its VideoCapture itself; `LiveCapture` and
`FileCapture` supply only the read loop (`_run`) and how frames are handed over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.capture.sources import (
    CaptureFactory,
    SourceInfo,
    VideoCaptureLike,
    default_factory,
    open_timeout_error,
    open_video,
    source_name,
)
from app.frames import Frame, RateMeter


class Capture:
    """Base class: the thread, its lifetime, counters and timing shared by both kinds.

    Create one with `open_capture`, then `start()` it and `read()` frames; `stop()` it
    when done (also after `ended`), which joins the thread.
    """

    is_live: bool = False

    def __init__(self, source: int | str, *, factory: CaptureFactory | None = None) -> None:
        self._source = source
        self._factory = factory or default_factory
        self.info: SourceInfo = SourceInfo("file", source_name(source), 0.0, None, 0, 0)
        self.end_reason: str | None = None
        # Set by the owner before `start()`: receives one line for the user, e.g. that a
        # camera was lost and is being reconnected; called on the capture thread.
        self.on_notice: Callable[[str], None] | None = None
        self.dropped = 0
        self.frames_read = 0
        self.position = -1
        self._cap: VideoCaptureLike | None = None
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._go = threading.Event()
        self._opened = threading.Event()
        self._open_error: BaseException | None = None
        self._done = False
        self._read_rate = RateMeter()
        self._thread = threading.Thread(
            target=self._main, name=f"actionlens-capture {self.info.name}", daemon=True
        )

    def _open(self, timeout: float) -> None:
        # Opening in the capture thread keeps open, read and release in one thread.
        self._thread.start()
        if not self._opened.wait(timeout):
            self._stop.set()
            self._go.set()
            raise open_timeout_error(self._source, timeout)
        if self._open_error is not None:
            self._thread.join(timeout)
            raise self._open_error

    def _main(self) -> None:
        try:
            try:
                self._cap, self.info = open_video(self._source, factory=self._factory)
            except BaseException as exc:  # re-raised in the caller by _open
                self._open_error = exc
                return
            finally:
                self._opened.set()
            self._go.wait()
            if not self._stop.is_set():
                self._run()
        except Exception as exc:
            self.end_reason = f"{self.info.name}: capture failed: {exc}"
        finally:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def _run(self) -> None:
        raise NotImplementedError

    def _notify(self, line: str) -> None:
        callback = self.on_notice
        if callback is not None:
            try:
                callback(line)
            except Exception:
                pass  # a consumer's bug must not end the capture

    def _wake(self) -> None:
        """Wake a producer waiting for a state change (subclasses that wait override it)."""

    def _count_read(self, now: float) -> None:
        with self._lock:
            self.frames_read += 1
        self._read_rate.tick(now)

    def start(self) -> Capture:
        """Start reading frames; returns self so `open_capture(...).start()` chains."""
        self._go.set()
        return self

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to end and join it.

        Args:
            timeout: seconds to wait for the thread.

        Returns:
            True when the thread has ended (and released the capture).
        """
        self._stop.set()
        self._go.set()
        self._wake()
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def read(self, timeout: float | None = 0.1) -> Frame | None:
        """Return the next frame, or None when none came within `timeout` seconds."""
        raise NotImplementedError

    @property
    def ended(self) -> bool:
        """True once the source finished (or failed) and nothing is left to read."""
        raise NotImplementedError

    @property
    def backlog(self) -> int:
        """Frames waiting to be read (live: 0 or 1)."""
        raise NotImplementedError

    def pause(self) -> None:
        """Pause a file; a live source cannot pause, so this does nothing there."""

    def resume(self) -> None:
        """Resume a paused file; does nothing for a live source."""

    def capture_fps(self) -> float:
        """Frames per second read from the source over about the last second."""
        return self._read_rate.rate()

    def source_fps(self) -> float:
        """The source's own rate: a file's from its header; a camera's or stream's as
        measured over about the last second, as what they report is often wrong (an
        MJPEG stream over HTTP always reports 25)."""
        return self._read_rate.rate() if self.is_live else self.info.fps

    def mean_fps(self) -> float:
        """Frames per second read from the first frame to the last (0.0 before two)."""
        return self._read_rate.mean_rate()

    def __enter__(self) -> Capture:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
