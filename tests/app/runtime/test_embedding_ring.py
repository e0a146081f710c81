"""Tests for app/runtime/embedding_ring.py: fps resampling, filling, horizon and time resets."""

from __future__ import annotations

import numpy as np
import pytest

from app.runtime.embedding_ring import EmbeddingRing


def filled(n: int, fps: float, horizon_s: float = 10.0, t0: float = 0.0) -> EmbeddingRing:
    """A ring of `n` entries at `fps`; entry i's embedding is [i] and its frame is full of i."""
    ring = EmbeddingRing(horizon_s)
    for i in range(n):
        ring.append(t0 + i / fps, np.array([float(i)]), np.full((2, 2, 1), float(i), np.float32))
    return ring


def test_30fps_input_for_10fps_model_takes_every_third_entry():
    ring = filled(30, fps=30.0)
    positions = ring.sample_indices(4, 10.0)
    assert positions == [20, 23, 26, 29]
    np.testing.assert_array_equal(ring.embeddings(positions)[:, 0], [20, 23, 26, 29])
    assert ring.frames(positions).shape == (4, 2, 2, 1)
    np.testing.assert_array_equal(ring.frames(positions)[:, 0, 0, 0], [20, 23, 26, 29])


def test_same_fps_takes_the_last_consecutive_entries():
    ring = filled(10, fps=10.0)
    assert ring.sample_indices(4, 10.0) == [6, 7, 8, 9]
    assert ring.sample_indices(1, 10.0) == [9]


def test_picks_the_nearest_entry_to_each_target_time():
    ring = EmbeddingRing(10.0)
    # Irregular (jittery camera) times; targets at 10 fps ending at 1.0 are 0.7, 0.8, 0.9, 1.0.
    times = [0.0, 0.33, 0.69, 0.74, 0.82, 0.88, 0.93, 1.0]
    for t in times:
        ring.append(t, np.array([t]))
    positions = ring.sample_indices(4, 10.0)
    assert [times[p] for p in positions] == [0.69, 0.82, 0.88, 1.0]


def test_a_slower_source_repeats_entries_rather_than_stretching_time():
    ring = filled(6, fps=5.0)  # 0.2 s apart, model at 10 fps
    positions = ring.sample_indices(5, 10.0)  # targets 0.6 .. 1.0 every 0.1 s
    assert len(positions) == 5
    assert positions[-1] == 5
    assert positions == sorted(positions)
    assert len(set(positions)) < 5


def test_not_filled_returns_none():
    ring = EmbeddingRing(10.0)
    assert ring.sample_indices(4, 10.0) is None
    # A 4-step window at 10 fps spans 0.3 s; half a step (0.05 s) short is still enough.
    for i in range(8):  # 30 fps: 0.233 s
        ring.append(i / 30.0, np.array([i]))
    assert ring.sample_indices(4, 10.0) is None
    ring.append(8 / 30.0, np.array([8]))  # 0.267 s
    assert ring.sample_indices(4, 10.0) == [0, 2, 5, 8]
    ring.append(9 / 30.0, np.array([9]))  # 0.3 s
    assert ring.sample_indices(4, 10.0) == [0, 3, 6, 9]


def test_a_young_buffer_gives_a_still_start_once_it_holds_the_first_steps():
    ring = filled(7, fps=10.0)  # 0.0 .. 0.6 s: 7 steps
    assert ring.sample_indices(10, 10.0) is None
    assert ring.sample_indices(10, 10.0, first=8) is None  # 7 real steps held, 8 asked for
    # 7 real steps: the three older ones are the oldest entry held, as training cut them.
    assert ring.sample_indices(10, 10.0, first=7) == [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]
    assert ring.sample_indices(10, 10.0, first=4) == [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]
    # A full buffer samples as ever.
    full = filled(12, fps=10.0)
    assert full.sample_indices(10, 10.0, first=4) == full.sample_indices(10, 10.0) == list(range(2, 12))


def test_half_a_step_of_slack_at_the_oldest_end():
    ring = EmbeddingRing(10.0)
    for t in (0.0, 0.1, 0.2, 0.26):  # reaches back 0.26 s; a 4-step window wants 0.3 s
        ring.append(t, np.array([t]))
    assert ring.sample_indices(4, 10.0) == [0, 1, 2, 3]
    assert ring.sample_indices(5, 10.0) is None


def test_time_going_backwards_resets():
    ring = filled(20, fps=30.0)
    assert ring.sample_indices(4, 10.0) is not None
    ring.append(0.1, np.array([99.0]))
    assert len(ring) == 1
    assert ring.sample_indices(4, 10.0) is None
    np.testing.assert_array_equal(ring.embeddings([0]), [[99.0]])


def test_equal_times_do_not_reset():
    ring = filled(3, fps=10.0)
    ring.append(0.2, np.array([7.0]))
    assert len(ring) == 4


def test_horizon_drops_old_entries():
    ring = filled(100, fps=30.0, horizon_s=1.0)
    assert len(ring) == 31  # entries within the last second, both ends included
    assert ring.sample_indices(11, 10.0) is not None
    assert ring.sample_indices(12, 10.0) is None


def test_max_entries_caps_the_buffer():
    ring = EmbeddingRing(horizon_s=100.0, max_entries=5)
    for i in range(20):
        ring.append(i / 30.0, np.array([i]))
    assert len(ring) == 5
    np.testing.assert_array_equal(ring.embeddings(list(range(5)))[:, 0], [15, 16, 17, 18, 19])


def test_ids_follow_entries_and_are_never_reused():
    ring = filled(40, fps=30.0, horizon_s=0.5)
    positions = ring.sample_indices(4, 10.0)
    assert ring.ids(positions) == [30, 33, 36, 39]  # positions shifted, ids did not
    assert ring.ids([0]) == [40 - len(ring)]
    ring.clear()
    ring.append(0.0, np.array([0.0]))
    assert ring.ids([0]) == [40]


def test_clear_forgets_everything():
    ring = filled(10, fps=10.0)
    ring.clear()
    assert len(ring) == 0
    assert ring.sample_indices(1, 10.0) is None


def test_unsplittable_entries_keep_frames_only():
    ring = EmbeddingRing(10.0)
    for i in range(4):
        ring.append(i / 10.0, None, np.full((3, 3, 1), i, np.float32))
    positions = ring.sample_indices(4, 10.0)
    assert ring.frames(positions).shape == (4, 3, 3, 1)


@pytest.mark.parametrize("input_fps", [25.0, 29.97, 30.0, 60.0])
def test_window_spans_the_model_time_at_any_input_rate(input_fps):
    ring = filled(int(input_fps * 3), fps=input_fps)
    positions = ring.sample_indices(8, 10.0)
    times = np.array(positions) / input_fps
    # Each step is 0.1 s give or take half an input frame.
    np.testing.assert_allclose(np.diff(times), 0.1, atol=1.0 / input_fps + 1e-9)
    assert positions[-1] == len(ring) - 1
