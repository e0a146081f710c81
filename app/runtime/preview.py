"""The next-frame preview of a processor: when to predict, the newest prediction, and surprise.

The ConvLSTM predictor runs every `predictor_every` processed frames (at 30 fps and
every 2nd frame, a 15 Hz preview) and costs several milliseconds. With several
people in view the labels already take most of a frame's time, and a prediction on
top would push the frame past the next one's arrival: the camera would drop frames
for a picture that is only a preview. So the preview gives way first. A prediction
that would end the frame past `BUDGET` of the time between frames waits, unless the
newest one is already `MAX_AGE_S` old, which keeps the preview at about 4 Hz or more
under any load (0.2 s and the frame it waits for), and a frame that has time does it.

A prediction is for one model step (1 / fps) ahead; `surprise` scores it on the
first frame at or past that time, so the score means the same at any camera rate.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np

# Of the time between two frames, what one frame's work may take with its prediction.
BUDGET = 0.8
# The oldest a shown prediction may get while predictions wait for a frame with time.
MAX_AGE_S = 0.2


class NextFramePreview:
    """Schedules the predictor and keeps what it made.

    Args:
        models: `CompiledModels` or `LiteModels` with a `predict_next`.
        fps: the model's frame rate (a prediction is for 1 / fps ahead).
    """

    def __init__(self, models, fps: float):
        self.models = models
        self.fps = float(fps)
        self.latest: np.ndarray | None = None
        self.deferred = 0  # predictions that waited for a frame with time (for bench and tests)
        self._pending: deque[tuple[float, np.ndarray]] = deque(maxlen=16)
        self._made_at: float | None = None
        self._cost_s = 0.0
        self._last_t: float | None = None
        self._gap_s: float | None = None
        self._owed = False

    def reset(self) -> None:
        """Forgets every prediction (a new source, a seek)."""
        self._pending.clear()
        self.latest = None
        self._made_at = self._last_t = self._gap_s = None
        self._owed = False

    def frame_arrived(self, t: float) -> None:
        """Notes a frame's source time (seconds): the gap between frames is the budget's base."""
        if self._last_t is not None and t < self._last_t:
            self._pending.clear()  # time went backwards (a file looped): old predictions are moot
            self._made_at = None
        elif self._last_t is not None and t > self._last_t:
            gap = t - self._last_t
            self._gap_s = gap if self._gap_s is None else 0.9 * self._gap_s + 0.1 * gap
        self._last_t = t

    def surprise(self, t: float, x: np.ndarray) -> float | None:
        """Mean squared error of the prediction made for time `t` against frame x (h, w, c), or None."""
        predicted = None
        while self._pending and t + 1e-6 >= self._pending[0][0]:
            # Of several due at once (a dropped frame), the newest is the one made for now.
            predicted = self._pending.popleft()[1]
        if predicted is None:
            return None
        actual = x if predicted.shape[-1] == x.shape[-1] else x.mean(axis=-1, keepdims=True)
        return float(np.mean((predicted - actual) ** 2))

    def update(self, t: float, frames, due: bool, spent_s: float) -> np.ndarray | None:
        """Predicts when due and there is time; returns the newest prediction (h, w, c) or None.

        Args:
            t: this frame's source time, seconds.
            frames: callable returning the last frames at the model's fps, (time, h, w, c).
            due: the schedule says predict now.
            spent_s: seconds this frame's work has taken so far.
        """
        if not (due or self._owed) and self.latest is not None:
            return self.latest
        if self.latest is not None and self._no_time(t, spent_s):
            if not self._owed:
                self.deferred += 1
            self._owed = True  # made on the next frame with time, due or not
            return self.latest
        self._owed = False
        start = time.perf_counter()
        predicted = self.models.predict_next(frames())
        cost = time.perf_counter() - start
        self._cost_s = cost if self._made_at is None else 0.8 * self._cost_s + 0.2 * cost
        self._pending.append((t + 1.0 / self.fps, predicted))
        self.latest, self._made_at = predicted, t
        return predicted

    def _no_time(self, t: float, spent_s: float) -> bool:
        if self._gap_s is None or self._made_at is None or t - self._made_at >= MAX_AGE_S:
            return False
        return spent_s + self._cost_s > BUDGET * self._gap_s
