"""The `idle` class: windows of real frames in which nothing happens.

A live app must say "nothing" when a person stands still, sits, or leaves
the frame, so the classifier needs an idle class. It is built from the
training clips themselves, so idle and action windows share people, rooms
and cameras, and only motion tells them apart.

Each window is one of two kinds (`near_still_fraction` picks the mix):

- still: one frame, chosen uniformly from a random clip, repeated T times.
- near-still: the first frame of a random clip, or its last one (even odds),
  cross-faded towards its neighbour (the second or second-to-last frame):
  frame k is (1 - a_k) * end + a_k * neighbour, with a_k rising linearly from
  0 to a ~ U(0, `max_blend`). Only a fraction of one frame step of real
  motion, like a person settling or breathing.

Then both kinds get camera effects, the same in kind for every window:

- brightness drift: frame k is scaled by 1 + d * k / (T - 1), d ~ U(-drift, drift),
  like auto-exposure creeping;
- sensor noise: independent Gaussian noise per pixel and frame, with a std
  drawn per window from U(0, `noise_std`) in 0..255 grey levels.

Values are clipped to the input's range and returned in its dtype (uint8 is
rounded). Clips are (t, h, w, c) with t >= 1; one-frame clips give still
windows for both kinds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def make_idle_windows(
    clips: Sequence[np.ndarray],
    T: int,
    n: int,
    rng: np.random.Generator,
    *,
    near_still_fraction: float = 0.5,
    max_blend: float = 0.3,
    noise_std: float = 2.0,
    drift: float = 0.03,
) -> np.ndarray:
    """Makes `n` idle windows from real frames (see the module docstring).

    Args:
        clips: frames (t, h, w, c), uint8 in [0, 255] or float in [0, 1]; all
            of the same (h, w, c) and dtype.
        T: frames per window.
        n: windows to make.
        rng: the source of randomness.
        near_still_fraction: the share of near-still windows.
        max_blend: the largest cross-fade towards the neighbouring frame.
        noise_std: the largest per-window noise std, in grey levels (0..255).
        drift: the largest relative brightness change across a window.

    Returns:
        array of shape (n, T, h, w, c) in the clips' dtype.
    """
    if not clips:
        raise ValueError(
            "`clips` must hold at least one clip to take idle frames from. Received: []"
        )
    if T < 1 or n < 0:
        raise ValueError(f"Expected `T` >= 1 and `n` >= 0. Received: T={T}, n={n}")
    first = np.asarray(clips[0])
    dtype, shape = first.dtype, first.shape[1:]
    scale = 255.0 if dtype == np.uint8 else 1.0
    out = np.empty((n, T, *shape), dtype)
    ramp = (
        np.linspace(0.0, 1.0, T, dtype=np.float32)[:, None, None, None]
        if T > 1
        else np.zeros((1, 1, 1, 1), np.float32)
    )
    for i in range(n):
        clip = np.asarray(clips[int(rng.integers(len(clips)))])
        if clip.ndim != 4 or clip.shape[0] < 1 or clip.shape[1:] != shape:
            raise ValueError(
                f"Every clip must have shape (time, {', '.join(map(str, shape))}) with time >= 1. "
                f"Received: clip.shape={tuple(clip.shape)}"
            )
        frames = clip.astype(np.float32) / scale
        if rng.random() < near_still_fraction and len(frames) > 1:
            end, neighbour = (
                (frames[0], frames[1]) if rng.random() < 0.5 else (frames[-1], frames[-2])
            )
            blend = ramp * rng.uniform(0.0, max_blend)
            window = (1.0 - blend) * end + blend * neighbour
        else:
            window = np.repeat(frames[int(rng.integers(len(frames)))][None], T, axis=0)
        window = window * (1.0 + rng.uniform(-drift, drift) * ramp)
        std = rng.uniform(0.0, noise_std) / 255.0
        window = window + rng.normal(0.0, 1.0, window.shape).astype(np.float32) * std
        window = np.clip(window, 0.0, 1.0) * scale
        out[i] = np.rint(window) if dtype == np.uint8 else window
    return out
