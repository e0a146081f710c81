"""The running repetition count of the current action segment, fed one frame at a time.

One `LiveRepetitions` per person: the app feeds it that person's features and the
label shown for them; when the label changes (or the person is lost) the segment
ends and the count starts again. The count is `model.pose.repetitions.count_filled`
over the segment so far, so live and `evaluate` count alike.

Per frame the cost is a row copy into a preallocated buffer. The count itself is
recomputed at most `recount_s` apart (a 44 x 44 eigendecomposition and a pass over at
most `max_s * fps` rows, about a millisecond), and only when a new sample has arrived.
"""

from __future__ import annotations

import numpy as np

from model.pose.features import FEATURE_DIM
from model.pose.repetitions import (
    DEFAULT_REPETITIONS,
    RepetitionSettings,
    count_filled,
    fill_absent,
)


class LiveRepetitions:
    """Running count of one person's current segment.

    Args:
        settings: how to count (its `fps` is the rate frames are kept at).
        recount_s: least time between two recounts, seconds.
        max_s: longest stretch held; past it the older half is counted once and
            dropped, cut at a low point so no repetition is split.
    """

    def __init__(self, settings: RepetitionSettings = DEFAULT_REPETITIONS, recount_s: float = 0.25,
                 max_s: float = 60.0) -> None:
        self.settings = settings
        self.recount_s = recount_s
        self._rows = np.zeros((max(8, int(max_s * settings.fps)), FEATURE_DIM), np.float32)
        self.reset()

    def reset(self) -> None:
        """Ends the segment: the count starts again from 0."""
        self.label: str | None = None
        self._n = 0
        self._next_t = -np.inf
        self._recount_t = -np.inf
        self._done = 0  # repetitions in stretches already dropped from the buffer
        self._count = 0
        self._dirty = False

    @property
    def count(self) -> int:
        """The segment's repetitions so far (as of the last recount)."""
        return self._count

    def update(self, features: np.ndarray | None, t: float, label: str | None) -> int:
        """Feeds one frame.

        Args:
            features: (FEATURE_DIM,) this person's features (`pose_features`), None when not seen.
            t: the frame's time, seconds (monotonic within a segment).
            label: the label shown for this person; a new label (or None) ends the segment.

        Returns:
            The running count of the segment `label` is in.
        """
        if label != self.label:
            self.reset()
            self.label = label
        if label is None or features is None:
            return self._count
        if t >= self._next_t:
            # Frames are kept at settings.fps whatever the camera's rate; after a gap, from now on.
            step = 1.0 / self.settings.fps
            self._next_t = max(self._next_t + step, t + 0.5 * step)
            if self._n == len(self._rows):
                self._drop_older_half()
            self._rows[self._n] = features
            self._n += 1
            self._dirty = True
        if self._dirty and t - self._recount_t >= self.recount_s:
            self._recount_t, self._dirty = t, False
            self._count = self._done + self._count_buffer(self._n)
        return self._count

    def _count_buffer(self, n: int) -> int:
        return count_filled(fill_absent(self._rows[:n]), self.settings, open_end=True) if n >= 3 else 0

    def _drop_older_half(self) -> None:
        half = self._n // 2
        # Cut where the movement is lowest near the middle, so that no repetition is split.
        x = fill_absent(self._rows[: self._n])
        centred = x - x.mean(axis=0)
        signal = centred @ np.linalg.eigh(centred.T @ centred)[1][:, -1]
        quarter = max(1, self._n // 4)
        band = signal[half - quarter : half + quarter]
        # The segment began at rest, so rest is the side its start lies on.
        low = band if signal[:quarter].mean() < signal.mean() else -band
        cut = half - quarter + int(np.argmin(low))
        self._done += self._count_buffer(cut)
        self._rows[: self._n - cut] = self._rows[cut : self._n].copy()
        self._n -= cut
