"""Carries engine events (from engine threads) to the GUI thread as Qt signals.

Frames are coalesced: the engine thread overwrites one pending slot, and the
GUI is told only when it is not already going to look. After painting, the GUI
calls `rearm()`; if newer frames came meanwhile it is told once more. So a slow
paint skips frames (counted in `skipped_paints`) instead of queueing them.
Every result still reaches `take()` (for the timeline and the events file), and
every frame reaches the taps (recorders), which run on the engine thread.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from PyQt6.QtCore import QObject, Qt, pyqtSignal

from app.frames import Frame
from app.results import Result

Tap = Callable[[Frame, "Result | None"], None]
# A GUI stalled for minutes must not grow memory without bound.
_MAX_BACKLOG_RESULTS = 5000


@dataclass
class Delivery:
    """What the GUI takes after `frame_ready`.

    Attributes:
        frame: the newest frame.
        result: the result for exactly that frame, or None.
        results: every result since the last `take()`, in arrival order.
    """

    frame: Frame
    result: Result | None
    results: list[Result] = field(default_factory=list)


class EngineBridge(QObject):
    """Subscribes to an engine and re-emits its events in the GUI thread."""

    frame_ready = pyqtSignal()  # none: take() returns the newest Frame with its Result | None
    model_loaded = pyqtSignal(dict)  # model_info dict
    model_failed = pyqtSignal(str)  # one-line message naming the file
    source_ended = pyqtSignal(object)  # str | None (None: normal end of file)
    error_raised = pyqtSignal(str)  # one-line message
    fetch_progressed = pyqtSignal(int, int)  # bytes so far, total bytes (0: unknown)

    def __init__(self, engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: tuple[Frame, Result | None] | None = None
        self._results: deque[Result] = deque(maxlen=_MAX_BACKLOG_RESULTS)
        self._armed = False
        self._detached = False
        self._taps: tuple[Tap, ...] = ()
        self.frames_received = 0
        self.skipped_paints = 0
        engine.events.frame_ready.connect(self._frame_from_engine)
        engine.events.model_loaded.connect(lambda info: self._forward(self.model_loaded, dict(info)))
        engine.events.model_failed.connect(lambda msg: self._forward(self.model_failed, str(msg)))
        engine.events.source_ended.connect(lambda reason: self._forward(self.source_ended, reason))
        engine.events.error_raised.connect(lambda msg: self._forward(self.error_raised, str(msg)))
        engine.events.fetch_progressed.connect(
            lambda done, total: self._forward(self.fetch_progressed, int(done), int(total)))

    def connect_frames(self, slot: Callable[[], None]) -> None:
        """Connects `slot` to `frame_ready`, queued, so `rearm()` never recurses."""
        self.frame_ready.connect(slot, Qt.ConnectionType.QueuedConnection)

    def add_tap(self, tap: Tap) -> None:
        """Calls `tap(frame, result)` for every frame, on the engine thread; keep it quick."""
        with self._lock:
            self._taps = (*self._taps, tap)

    def remove_tap(self, tap: Tap) -> None:
        """Stops calling `tap`; a call already running on the engine thread may finish."""
        with self._lock:
            self._taps = tuple(t for t in self._taps if t is not tap)

    def take(self) -> Delivery | None:
        """The newest frame and all results since the last call, or None if nothing is new."""
        with self._lock:
            pending, self._pending = self._pending, None
            results = list(self._results)
            self._results.clear()
        if pending is None:
            return None
        return Delivery(pending[0], pending[1], results)

    def rearm(self) -> None:
        """Says the GUI has painted; emits `frame_ready` again if a frame is waiting."""
        with self._lock:
            if self._pending is None or self._detached:
                self._armed = False
                return
        self.frame_ready.emit()

    def detach(self) -> None:
        """Ignores all further engine events (the window is closing)."""
        with self._lock:
            self._detached = True
            self._taps = ()
            self._pending = None

    def clear(self) -> None:
        """Drops pending frames and results (a new source was opened)."""
        with self._lock:
            self._pending = None
            self._results.clear()

    def _forward(self, signal, *payload) -> None:
        if not self._detached:
            signal.emit(*payload)

    def _frame_from_engine(self, frame: Frame, result: Result | None) -> None:
        if result is not None and result.frame_index != frame.index:
            # A result for another frame would put a stale label on screen; drop it.
            result = None
        with self._lock:
            if self._detached:
                return
            taps = self._taps
        for tap in taps:
            try:
                tap(frame, result)
            except Exception as err:  # a broken recorder must not stop the picture
                self._forward(self.error_raised, f"recording failed: {err}")
        with self._lock:
            if self._detached:
                return
            self.frames_received += 1
            if self._pending is not None:
                self.skipped_paints += 1
            self._pending = (frame, result)
            if result is not None:
                self._results.append(result)
            if self._armed:
                return
            self._armed = True
        self.frame_ready.emit()
