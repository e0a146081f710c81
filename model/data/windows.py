"""Cuts fixed-length windows of T frames out of variable-length clips.

Index rule: window frame k takes clip frame offset + floor(k * step + 0.5),
where step is the temporal step (1.0 = the clip's own rate, 1.25 = played
25% faster). Short clips are looped: a clip with fewer frames than a window
spans repeats from its start (indices are taken modulo the clip length, and
the offset is 0), so a 10-frame wave becomes a 16-frame wave of 1.6 cycles
rather than an error. Periodic actions survive that well; if every clip is
shorter than T, `check_window_fits` fails instead, since then the window
length or fps is wrong for the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from model.errors import DatasetError

# 0.8x to 1.25x: people do the same action at about this range of tempos.
DEFAULT_SPEED_RANGE = (0.8, 1.25)


def window_indices(n_frames: int, T: int, offset: int = 0, step: float = 1.0) -> np.ndarray:
    """Clip frame indices for one window (see the module docstring).

    Args:
        n_frames: frames in the clip (>= 1).
        T: frames in the window (>= 1).
        offset: the first clip frame.
        step: clip frames per window frame (> 0).

    Returns:
        int64 array of shape (T,) with values in [0, n_frames).
    """
    if n_frames < 1 or T < 1 or step <= 0:
        raise ValueError(
            f"Expected `n_frames` >= 1, `T` >= 1 and `step` > 0. Received: n_frames={n_frames}, T={T}, step={step}"
        )
    idx = offset + np.floor(np.arange(T) * step + 0.5).astype(np.int64)
    return idx % n_frames


def span(T: int, step: float = 1.0) -> int:
    """Clip frames one window covers: the last index plus one."""
    return int(math.floor((T - 1) * step + 0.5)) + 1


def sample_speed(
    rng: np.random.Generator, speed_range: tuple[float, float] = DEFAULT_SPEED_RANGE
) -> float:
    """A temporal step drawn log-uniformly, so 0.8x and 1.25x are equally likely."""
    lo, hi = speed_range
    if not 0 < lo <= hi:
        raise ValueError(
            f"`speed_range` must satisfy 0 < low <= high. Received: speed_range={speed_range}"
        )
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def random_window(
    clip: np.ndarray,
    T: int,
    rng: np.random.Generator,
    speed_range: tuple[float, float] | None = None,
) -> np.ndarray:
    """One window at a random offset, optionally at a random speed.

    Args:
        clip: frames (t, h, w, c).
        T: frames in the window.
        rng: the source of randomness.
        speed_range: (low, high) temporal step for speed jitter, or None for 1.0.

    Returns:
        array of shape (T, h, w, c) and the clip's dtype.
    """
    n = _check_clip(clip)
    step = sample_speed(rng, speed_range) if speed_range is not None else 1.0
    extent = span(T, step)
    offset = int(rng.integers(0, n - extent + 1)) if n >= extent else 0
    return clip[window_indices(n, T, offset, step)]


def eval_windows(clip: np.ndarray, T: int, stride: int) -> np.ndarray:
    """Every window at offsets 0, stride, 2 * stride, ... that fits in the clip.

    Args:
        clip: frames (t, h, w, c).
        T: frames per window.
        stride: frames between window starts (>= 1).

    Returns:
        array of shape (n, T, h, w, c) with n = max(1, (t - T) // stride + 1);
        a clip shorter than T gives one looped window.
    """
    n = _check_clip(clip)
    if stride < 1:
        raise ValueError(f"`stride` must be >= 1. Received: stride={stride}")
    offsets = range(0, n - T + 1, stride) if n >= T else [0]
    return np.stack([clip[window_indices(n, T, o)] for o in offsets])


def check_window_fits(clip_lengths: Sequence[int], T: int, fps: float) -> None:
    """Raises `DatasetError` when every clip is shorter than a window.

    Args:
        clip_lengths: frames per clip, after resampling to `fps`.
        T: frames per window.
        fps: the rate the clips were resampled to, for the message.
    """
    if not clip_lengths:
        raise DatasetError("No clips to cut windows from; load at least one clip.")
    longest = max(clip_lengths)
    if longest < T:
        raise DatasetError(
            f"Every clip is shorter than the window: `frames`={T} but the longest clip has "
            f"{longest} frames at {fps:g} fps. Lower `frames`, raise `fps`, or use longer clips."
        )


def _check_clip(clip: np.ndarray) -> int:
    if clip.ndim != 4 or clip.shape[0] < 1:
        raise ValueError(
            f"`clip` must have shape (time, h, w, c) with time >= 1. Received: clip.shape={tuple(clip.shape)}"
        )
    return int(clip.shape[0])
