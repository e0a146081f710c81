"""The next-frame preview gives way to the labels when a frame has no time for it (app/runtime/preview.py)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.runtime.preview import BUDGET, MAX_AGE_S, NextFramePreview

FPS = 30.0


class _SlowPredictor:
    """predict_next takes at least 5 ms, as the real one takes several."""

    def __init__(self):
        self.calls = 0

    def predict_next(self, frames):
        self.calls += 1
        time.sleep(0.005)
        return np.full((4, 4, 1), self.calls, np.float32)


def _play(preview: NextFramePreview, spent_s: float, frames: int = 60) -> list[tuple[float, np.ndarray]]:
    shown = []
    for i in range(frames):
        t = i / FPS
        preview.frame_arrived(t)
        shown.append((t, preview.update(t, lambda: np.zeros((4, 4, 4, 1), np.float32), i % 2 == 0, spent_s)))
    return shown


def test_a_frame_with_time_predicts_on_every_due_step():
    models = _SlowPredictor()
    preview = NextFramePreview(models, fps=10.0)
    _play(preview, spent_s=0.001)
    assert models.calls == 30 and preview.deferred == 0


def test_a_busy_frame_defers_the_prediction_but_the_preview_never_gets_older_than_max_age():
    models = _SlowPredictor()
    preview = NextFramePreview(models, fps=10.0)
    # Each frame's labels already took 90% of the time between frames: no room for a prediction.
    shown = _play(preview, spent_s=0.9 / FPS)
    assert 0.9 > BUDGET
    # 2 s at one prediction per MAX_AGE_S (and the first), not 30.
    assert 9 <= models.calls <= 2.0 / MAX_AGE_S + 2, models.calls
    assert preview.deferred > 0
    made = {}
    for t, frame in shown:
        made.setdefault(float(frame[0, 0, 0]), t)
        assert t - made[float(frame[0, 0, 0])] <= MAX_AGE_S + 1.5 / FPS
    # A deferred prediction is owed: the next frame with time makes it, due or not.
    models, preview = _SlowPredictor(), NextFramePreview(_SlowPredictor(), fps=10.0)
    preview.models = models
    frames = lambda: np.zeros((4, 4, 4, 1), np.float32)  # noqa: E731
    for i, (due, spent) in enumerate([(True, 0.0), (True, 0.9 / FPS), (False, 0.001)]):
        preview.frame_arrived(i / FPS)
        preview.update(i / FPS, frames, due, spent)
        assert models.calls == [1, 1, 2][i]

def test_surprise_scores_a_prediction_on_the_first_frame_at_or_past_its_time():
    preview = NextFramePreview(_SlowPredictor(), fps=10.0)
    preview.frame_arrived(0.0)
    made = preview.update(0.0, lambda: np.zeros((4, 4, 4, 1), np.float32), True, 0.0)
    assert preview.surprise(0.05, np.zeros((4, 4, 1), np.float32)) is None  # due at 0.1
    assert preview.surprise(0.1, np.zeros((4, 4, 1), np.float32)) == pytest.approx(float(np.mean(made**2)))
