"""Turns noisy per-window probabilities into a label that does not flicker.

Three stages, each fixing one kind of noise:

1. An exponential moving average (EMA) of the probabilities smooths frame-to-frame jitter.
2. Hysteresis: a class becomes *active* once its smoothed probability reaches its
   enter threshold, and stays active until it falls below the exit threshold, so a
   probability hovering around one threshold cannot toggle the label.
3. Dwell: the shown label changes only after the new target has held continuously
   for `min_dwell_s` source seconds, so a brief spike is never shown. Until then the
   old label stays on screen: nothing flashes between two confident labels.
   At the start (or after a reset) nothing is on screen yet to flash away from: idle
   is shown at once, and any other first label waits its dwell as `UNDECIDED` (""),
   not as "unknown", which would claim motion unlike any action the model is sure of.

When no action is active the target is the idle label (if the model has one and it
is the top class) or "unknown" — never the nearest class. The model's background
class (motion that is none of its actions) never becomes the label: it is "unknown".
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from app.results import UNDECIDED, UNKNOWN
from app.settings import SmoothingSettings

# Source times are sums of 1/fps steps; without slack 0.1 * 3 would miss a 0.3 s dwell.
_TIME_EPS = 1e-9


class LabelSmoother:
    """Stateful label smoother, fed one probability vector per processed frame.

    Thread-safe: `update` may run on the inference thread while the GUI calls
    `set_settings` or `reset`.

    Args:
        labels: class names, in the order of the classifier's outputs.
        settings: EMA weight, hysteresis thresholds, dwell and per-class thresholds.
        idle_label: the class meaning "nothing is happening"; ignored when it is
            empty, None or not one of `labels`.
        background_label: the class meaning "some motion that is none of the
            actions"; shown as "unknown". Ignored when empty or not one of `labels`.
        unknown_below: the enter threshold when `settings.enter` is None (the
            model's calibrated value).
    """

    def __init__(
        self,
        labels: Sequence[str],
        settings: SmoothingSettings,
        idle_label: str | None = "idle",
        background_label: str | None = None,
        unknown_below: float = 0.6,
    ) -> None:
        self._labels = tuple(labels)
        if not self._labels:
            raise ValueError(f"`labels` must name at least one class. Received: labels={labels!r}")
        self._idle = self._labels.index(idle_label) if idle_label in self._labels else None
        self._background = self._labels.index(background_label) if background_label in self._labels else None
        self._unknown_below = float(unknown_below)
        self._lock = threading.Lock()
        self._settings = settings
        self.reset()

    @property
    def labels(self) -> tuple[str, ...]:
        """Class names, in the order of `probs`."""
        return self._labels

    @property
    def settings(self) -> SmoothingSettings:
        """The settings in use."""
        return self._settings

    @property
    def label(self) -> str:
        """The label currently shown (`UNDECIDED`, "", before the first one)."""
        return self._shown

    @property
    def pending(self) -> str:
        """The label waiting out its dwell to replace the one shown, or ""."""
        return self._candidate or ""

    def set_settings(self, settings: SmoothingSettings) -> None:
        """Replaces the settings while running; the moving average is kept.

        Args:
            settings: the new settings, used from the next `update` on.
        """
        with self._lock:
            self._settings = settings

    def reset(self) -> None:
        """Forgets all history (call after a seek or a source change)."""
        with self._lock:
            self._ema: np.ndarray | None = None
            self._active: int | None = None
            self._shown = UNDECIDED
            self._candidate: str | None = None
            self._candidate_since = 0.0

    def update(self, probs: np.ndarray, t: float) -> tuple[str, float, np.ndarray]:
        """Feeds one frame's probabilities.

        Args:
            probs: the classifier's probabilities, shape (classes,).
            t: the frame's source time, seconds.

        Returns:
            (label, confidence, smoothed_probs): the shown label, the smoothed
            probability of that label (of the top class when the label is
            "unknown"), and a copy of the smoothed probabilities, shape (classes,).
        """
        probs = np.asarray(probs, dtype=np.float64)
        if probs.shape != (len(self._labels),):
            raise ValueError(
                f"`probs` must have shape ({len(self._labels)},), one value per label. "
                f"Received: probs.shape={probs.shape}. Hint: pass one window's row, "
                "e.g. `model(x)[0]`, not the (1, classes) batch."
            )
        if not np.all(np.isfinite(probs)):
            raise ValueError(f"`probs` must be finite. Received: probs={probs}")
        t = float(t)
        with self._lock:
            s = self._settings
            first = self._ema is None
            if first:
                self._ema = probs.copy()
            else:
                self._ema = s.ema * probs + (1.0 - s.ema) * self._ema
            target = self._target(self._ema, s)
            if first and self._idle is not None and target == self._labels[self._idle]:
                self._shown = target  # nothing on screen yet to flash away from
            self._dwell(target, t, s.min_dwell_s)
            ema = self._ema.copy()
            shown = self._shown
        index = self._labels.index(shown) if shown in self._labels else int(np.argmax(ema))
        return shown, float(ema[index]), ema

    def _enter(self, i: int, s: SmoothingSettings) -> float:
        default = self._unknown_below if s.enter is None else s.enter
        return float(s.class_enter.get(self._labels[i], default))

    def _target(self, ema: np.ndarray, s: SmoothingSettings) -> str:
        if self._active is not None:
            # A per-class enter below the global exit would otherwise drop out at once.
            exit_ = min(s.exit, self._enter(self._active, s))
            if ema[self._active] < exit_:
                self._active = None
        if self._active is not None:
            # Hysteresis guards one class's threshold, not a class that another has overtaken:
            # an action held only above `exit` while a wave (or `other`) sits over its own enter
            # threshold would otherwise stay shown for as long as the new motion lasts.
            top = int(np.argmax(ema))
            if top != self._active and ema[top] >= self._enter(top, s):
                self._active = None
        if self._active is None:
            entering = [i for i in range(len(ema))
                        if i != self._background and ema[i] >= self._enter(i, s)]
            if entering:
                self._active = max(entering, key=lambda i: ema[i])
        if self._active is not None:
            return self._labels[self._active]
        if self._idle is not None and int(np.argmax(ema)) == self._idle:
            return self._labels[self._idle]
        return UNKNOWN

    def _dwell(self, target: str, t: float, min_dwell_s: float) -> None:
        if target == self._shown:
            self._candidate = None
            return
        # A time that runs backwards means a seek without reset: restart the wait.
        if target != self._candidate or t < self._candidate_since:
            self._candidate = target
            self._candidate_since = t
        if t - self._candidate_since + _TIME_EPS >= min_dwell_s:
            self._shown = target
            self._candidate = None
