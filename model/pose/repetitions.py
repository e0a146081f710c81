"""Counting an action segment's repetitions from its pose features, for any label.

In the spirit of RepNet (Dwibedi et al., CVPR 2020), nothing here knows what
the action is: a jumping jack, a wave and a label taught with `train --from`
are counted the same way.
- The segment's per-frame features (bone directions, `model.pose.features`)
  are resampled to a fixed rate and smoothed, then projected on their main
  principal component: the direction in which the body moves most over the
  segment. For a repeated action that is the repeated movement.
- The projection is turned so that the segment's ends (where a person stands
  at rest before and after an action) are low, and scaled to [0, 1].
- A repetition is one swing up and back: a peak that stands out of its
  neighbourhood by at least `min_swing` of the signal's range (a zigzag over
  the signal, which is peak prominence in one pass). A single raise is one
  peak, held overhead or not; the two arcs of KARD's two-hand wave are two.
- A segment that hardly moves (its main component spans less than
  `min_amplitude` in feature units) counts 0: idle has no repetitions.

`model.pose.live_repetitions.LiveRepetitions` is the same count fed one frame at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.pose.features import BODY_COLUMNS, PRESENCE_INDEX


@dataclass(frozen=True)
class RepetitionSettings:
    """How a segment is counted; the defaults were chosen on clips counted by eye
    (docs/repetition_counting.md).

    Attributes:
        fps: rate the features are resampled to; 15 fps keeps a fast jumping jack
            (about 2 per second) several samples per swing.
        smooth_s: standard deviation of the Gaussian smoothing over time, seconds;
            BlazePose's frame-to-frame jitter must not make peaks.
        min_swing: a peak counts when the signal falls this share of its range on
            both sides of it: half-height dips between two arcs count, jitter does not.
        min_amplitude: below this range of the main component (feature units: a
            bone turning from down to level moves its direction by about 1.4) the
            segment is still and counts 0.
        edge_s: seconds at each end that tell the rest pose, which is turned low.
    """

    fps: float = 15.0
    smooth_s: float = 0.1
    min_swing: float = 0.25
    min_amplitude: float = 0.6
    edge_s: float = 0.4


DEFAULT_REPETITIONS = RepetitionSettings()


def main_component(x: np.ndarray, settings: RepetitionSettings = DEFAULT_REPETITIONS) -> tuple[np.ndarray, float]:
    """The smoothed features' projection on their main principal component.

    Args:
        x: (t, FEATURE_DIM) features at `settings.fps`.
        settings: the smoothing.

    Returns:
        (signal (t,) float64 in feature units, range of the signal).
    """
    x = np.asarray(x, np.float64)
    if len(x) < 3:
        return np.zeros(len(x)), 0.0
    x = smooth(x, settings.smooth_s * settings.fps)
    x = x - x.mean(axis=0)
    # The covariance's top eigenvector is the direction of most movement; a (d, d) eigh is
    # cheaper than the SVD of all t frames, which matters live.
    _, vectors = np.linalg.eigh(x.T @ x)
    signal = x @ vectors[:, -1]
    return signal, float(signal.max() - signal.min())


def fill_absent(x: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) features -> (t, d) the body's bone directions (`BODY_COLUMNS`: no hands,
    cue or presence), with the frames where nobody was found filled in from their neighbours
    (linearly).

    A lost track is the tracker's failure, not the person's movement; left as zeros it
    would be the largest "movement" in the segment.
    """
    present = x[:, PRESENCE_INDEX] > 0.5
    x = x[:, BODY_COLUMNS]
    if present.all() or not present.any():
        return x
    t = np.arange(len(x))
    return np.stack([np.interp(t, t[present], col[present]) for col in x.T], axis=1)


def smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along time of (t, d) with `sigma` samples; the ends are held, not zero-padded."""
    if sigma <= 0.3:
        return x
    radius = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    padded = np.concatenate([np.repeat(x[:1], radius, 0), x, np.repeat(x[-1:], radius, 0)])
    # One matrix product per column block: (t, 2r+1) windows times the kernel.
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1, axis=0)  # (t, d, 2r+1)
    return windows @ k


def oriented(signal: np.ndarray, edge: int, open_end: bool = False) -> np.ndarray:
    """`signal` scaled to [0, 1] and turned so that its ends (the rest pose) are low.

    Args:
        signal: (t,) main-component signal.
        edge: samples at each end that tell the rest pose.
        open_end: the segment is still going on (live): only its start tells the rest pose.

    Returns:
        (t,) in [0, 1].
    """
    lo, hi = float(signal.min()), float(signal.max())
    s = (signal - lo) / max(hi - lo, 1e-9)
    edge = max(1, min(edge, len(s) // 4 or 1))
    rest = s[:edge].mean() if open_end else 0.5 * (s[:edge].mean() + s[-edge:].mean())
    # An eigenvector's sign is arbitrary; the action is the excursion away from where it starts and ends.
    if rest > 0.5 or (rest == 0.5 and np.median(s) > 0.5):
        s = 1.0 - s
    return s


def peak_indices(s: np.ndarray, swing: float) -> list[int]:
    """Peaks of `s` that stand `swing` above the lowest point on each side before a higher peak.

    The signal is read as lying on rest (0) before its first and after its last
    sample, so a clip that starts or ends with the arms up counts that peak.

    Args:
        s: (t,) in [0, 1], rest low.
        swing: the least fall on both sides of a peak.

    Returns:
        Sample indices of the peaks, in order.
    """
    peaks: list[int] = []
    low = 0.0  # the rest before the first sample
    top, top_i, rising = -1.0, -1, False
    for i, v in enumerate(s):
        v = float(v)
        if rising:
            if v > top:
                top, top_i = v, i
            elif top - v >= swing:
                peaks.append(top_i)
                rising, low = False, v
        else:
            if v < low:
                low = v
            elif v - low >= swing:
                rising, top, top_i = True, v, i
    if rising and top >= swing:  # falls to rest after the last sample
        peaks.append(top_i)
    return peaks


def count_repetitions(x: np.ndarray, fps: float, settings: RepetitionSettings = DEFAULT_REPETITIONS) -> int:
    """Repetitions in one action segment.

    Args:
        x: (t, FEATURE_DIM) pose features of the segment (`model.pose.features`).
        fps: the rate of `x`'s frames.
        settings: how to count.

    Returns:
        The number of repetitions; 0 for a segment that hardly moves, 1 for a single raise.
    """
    x = fill_absent(resample(np.asarray(x, np.float32), fps, settings.fps))
    return count_filled(x, settings)


def count_filled(x: np.ndarray, settings: RepetitionSettings, like: np.ndarray | None = None,
                 open_end: bool = False) -> int:
    """`count_repetitions` of features already at `settings.fps` and through `fill_absent`, (t, d).

    `like` (t,) is the enclosing stretch's signal when counting inside it: the inner signal is
    turned to rise with it, since the stretch's ends are not at rest; nothing is nested further.
    `open_end`: the segment has not ended yet (live), so its last frames say nothing of rest.
    """
    signal, span = main_component(x, settings)
    if span < settings.min_amplitude:
        return 0
    if like is None:
        s = oriented(signal, int(round(settings.edge_s * settings.fps)), open_end)
    else:
        s = (signal - signal.min()) / span
        s = s if np.dot(s - s.mean(), like - like.mean()) >= 0 else 1.0 - s
    peaks = peak_indices(s, settings.min_swing)
    if like is not None:
        return len(peaks)
    # An action may repeat while away from rest (arms raised once, then arcs or waves up
    # there): the rise dominates the main component and hides them. Each stretch away from
    # rest is counted again on its own main component, and counts what is more.
    total, counted = 0, np.zeros(len(s), bool)
    for start, stop in _runs(s >= 0.5):
        inside = [p for p in peaks if start <= p < stop]
        counted[start:stop] = True
        inner = count_filled(x[start:stop], settings, s[start:stop]) if stop - start >= 4 else 0
        total += max(len(inside), inner)
    return total + sum(1 for p in peaks if not counted[p])


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of True in a (t,) bool mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def resample(x: np.ndarray, fps: float, to_fps: float) -> np.ndarray:
    """(t, d) frames at `fps` -> the nearest frames at `to_fps` (first frame kept)."""
    if len(x) == 0 or abs(fps - to_fps) < 1e-6:
        return x
    n = int(np.floor((len(x) - 1) * to_fps / fps)) + 1
    index = np.clip(np.round(np.arange(n) * fps / to_fps).astype(int), 0, len(x) - 1)
    return x[index]
