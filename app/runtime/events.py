"""The engine's events, typed: each consumer connects to the events it needs by name.

Modelled on napari's plain-Python events: the engine owns an `EngineEvents`,
consumers call `engine.events.frame_ready.connect(callback)`, and a type checker
follows a frame from the engine to every consumer. Callbacks run on the engine
thread that emits, so a GUI must hop to its own thread (a queued signal) and
never block there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, ParamSpec

from app.frames import Frame
from app.results import Result

P = ParamSpec("P")


class Signal(Generic[P]):
    """One event: consumers `connect` callbacks, the engine `emit`s.

    Args:
        name: the event's name, for messages.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: tuple[Callable[P, object], ...] = ()
        self._lock = threading.Lock()

    def connect(self, callback: Callable[P, object]) -> None:
        """Calls `callback` on every emit, on the emitting thread."""
        with self._lock:
            self._callbacks = (*self._callbacks, callback)

    def disconnect(self, callback: Callable[P, object]) -> None:
        """Stops calling `callback`; a call already running may finish."""
        with self._lock:
            self._callbacks = tuple(c for c in self._callbacks if c is not callback)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> list[str]:
        """Calls every callback; one that raises does not stop the others.

        Returns:
            One line per callback that raised, naming this event.
        """
        failures = []
        for callback in self._callbacks:
            try:
                callback(*args, **kwargs)
            except Exception as err:  # a consumer's bug must not kill an engine thread
                failures.append(f"{self.name} handler failed: {err}")
        return failures


@dataclass
class EngineEvents:
    """Everything an engine tells its consumers."""

    # Each frame shown, with the result computed for that very frame (None before the model loads).
    frame_ready: Signal[[Frame, Result | None]] = field(default_factory=lambda: Signal("frame_ready"))
    # The model's info: summary, labels, device, frames, fps, has_predictor, idle_label, path,
    # held_out_curve (see app/runtime/loader.py).
    model_loaded: Signal[[dict]] = field(default_factory=lambda: Signal("model_loaded"))
    # One line naming the bundle and what is wrong with it.
    model_failed: Signal[[str]] = field(default_factory=lambda: Signal("model_failed"))
    # Why the source ended (None: the normal end of a file).
    source_ended: Signal[[str | None]] = field(default_factory=lambda: Signal("source_ended"))
    # (bytes so far, total bytes or 0) while the BlazePose models download, on first use.
    fetch_progressed: Signal[[int, int]] = field(default_factory=lambda: Signal("fetch_progressed"))
    # One line for the user: a notice or a recoverable failure.
    error_raised: Signal[[str]] = field(default_factory=lambda: Signal("error_raised"))

    def emit(self, signal: Signal, *args) -> None:
        """Emits `signal`; a failing callback is reported through `error_raised`."""
        for line in signal.emit(*args):
            if signal is not self.error_raised:
                self.error_raised.emit(line)
