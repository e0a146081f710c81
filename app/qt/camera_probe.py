"""Finds cameras on a background thread; opening devices can take seconds."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PyQt6.QtCore import QObject, pyqtSignal

CameraLister = Callable[[], list]


def default_lister() -> list[int]:
    """Camera indices that open, trying 0..3 (app.capture.sources.list_cameras)."""
    from app.capture.sources import list_cameras

    return list_cameras(4)


class CameraProbe(QObject):
    """Runs a camera lister off the GUI thread and reports once per `start()`.

    Args:
        lister: returns the camera indices that open (default: `default_lister`).
        parent: the parent QObject.
    """

    cameras_found = pyqtSignal(list)  # list[int] of camera indices (may be empty)

    def __init__(self, lister: CameraLister | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lister = lister or default_lister
        self._thread: threading.Thread | None = None
        self._cancelled = False

    @property
    def running(self) -> bool:
        """Whether a probe thread is still looking."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Starts a probe unless one is running; returns whether it started."""
        if self.running:
            return False
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="actionlens-camera-probe", daemon=True)
        self._thread.start()
        return True

    def cancel(self, timeout: float = 0.5) -> bool:
        """Drops the pending answer and waits up to `timeout` s; True if no probe is left.

        A driver stuck in open() cannot be interrupted; the daemon thread then
        ends on its own and its answer is discarded.
        """
        self._cancelled = True
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _run(self) -> None:
        try:
            found = [int(i) for i in self._lister()]
        except Exception:  # a broken driver means "no cameras", not a crash
            found = []
        if not self._cancelled:
            self.cameras_found.emit(found)
