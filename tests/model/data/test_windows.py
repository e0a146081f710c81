"""Windows: random and strided cuts, looping of short clips, speed jitter, and the fit check."""

from __future__ import annotations

import numpy as np
import pytest

from model.data.windows import (
    check_window_fits,
    eval_windows,
    random_window,
    sample_speed,
    span,
    window_indices,
)
from model.errors import DatasetError


def _clip(n: int) -> np.ndarray:
    """A (n, 2, 3, 1) uint8 clip whose frame i is filled with i, so windows show their indices."""
    return np.broadcast_to(np.arange(n, dtype=np.uint8)[:, None, None, None], (n, 2, 3, 1)).copy()


def _ids(window: np.ndarray) -> list[int]:
    return window[:, 0, 0, 0].astype(int).tolist()


def test_random_window_is_a_contiguous_run_at_a_random_offset():
    clip, rng = _clip(30), np.random.default_rng(0)
    starts = set()
    for _ in range(50):
        w = random_window(clip, 8, rng)
        assert w.shape == (8, 2, 3, 1) and w.dtype == np.uint8
        ids = _ids(w)
        assert ids == list(range(ids[0], ids[0] + 8))
        starts.add(ids[0])
    assert min(starts) >= 0 and max(starts) <= 22 and len(starts) > 10


def test_random_window_is_deterministic_given_the_rng():
    clip = _clip(30)
    a = random_window(clip, 8, np.random.default_rng(7), speed_range=(0.8, 1.25))
    b = random_window(clip, 8, np.random.default_rng(7), speed_range=(0.8, 1.25))
    np.testing.assert_array_equal(a, b)


def test_eval_windows_cover_the_clip_at_a_fixed_stride():
    w = eval_windows(_clip(20), 8, 4)
    assert w.shape == (4, 8, 2, 3, 1)  # offsets 0, 4, 8, 12
    assert [_ids(x)[0] for x in w] == [0, 4, 8, 12]
    assert eval_windows(_clip(8), 8, 4).shape[0] == 1


def test_clips_shorter_than_the_window_loop_from_their_start():
    clip = _clip(5)
    expected = [0, 1, 2, 3, 4, 0, 1, 2]
    assert _ids(random_window(clip, 8, np.random.default_rng(0))) == expected
    windows = eval_windows(clip, 8, 2)
    assert windows.shape[0] == 1 and _ids(windows[0]) == expected


def test_speed_jitter_steps_through_the_clip_at_the_drawn_rate():
    clip, rng = _clip(60), np.random.default_rng(1)
    for _ in range(30):
        ids = np.array(_ids(random_window(clip, 10, rng, speed_range=(0.8, 1.25))))
        steps = np.diff(ids)
        assert steps.min() >= 0 and steps.max() <= 2
        # The mean step is the speed, within the rounding of the first and last index.
        assert 0.8 - 0.12 <= (ids[-1] - ids[0]) / 9 <= 1.25 + 0.12
    speeds = [sample_speed(rng, (0.8, 1.25)) for _ in range(200)]
    assert 0.8 <= min(speeds) and max(speeds) <= 1.25


def test_window_indices_rule():
    assert window_indices(100, 4, offset=10, step=1.5).tolist() == [10, 12, 13, 15]
    assert span(4, 1.5) == 6
    with pytest.raises(ValueError, match="step"):
        window_indices(10, 4, step=0)


def test_window_longer_than_every_clip_is_a_dataset_error():
    check_window_fits([5, 20], 16, 10.0)
    with pytest.raises(
        DatasetError, match=r"`frames`=16 but the longest clip has 12 frames at 10 fps"
    ):
        check_window_fits([5, 12], 16, 10.0)
    with pytest.raises(DatasetError, match="No clips"):
        check_window_fits([], 16, 10.0)


def test_bad_clip_shape_is_rejected():
    with pytest.raises(ValueError, match=r"\(time, h, w, c\)"):
        random_window(np.zeros((5, 4, 4)), 3, np.random.default_rng(0))
