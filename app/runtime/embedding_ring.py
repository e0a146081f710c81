"""The rolling buffer: per-frame embeddings with their times, sampled at the model's fps.

Every frame's CNN embedding is computed once and kept here. A window for the
temporal head is then a time-resampled selection from this buffer: for a
model trained at `fps`, the window ending at time t holds the embeddings
nearest to t - k/fps for k = T-1 .. 0. So a 30 fps camera and a 25 fps file
give the head the same spacing in time as training did, and the head can
still run on every incoming frame.
"""

from __future__ import annotations

from collections import deque

import numpy as np


class EmbeddingRing:
    """A bounded buffer of (time, embedding, frame) entries in arrival order.

    Args:
        horizon_s: how many seconds of history to keep (the longest window plus slack).
        max_entries: hard cap on entries, whatever the frame rate.
    """

    def __init__(self, horizon_s: float, max_entries: int = 4096):
        self.horizon_s = float(horizon_s)
        self._times: deque[float] = deque(maxlen=max_entries)
        self._embs: deque[np.ndarray] = deque(maxlen=max_entries)
        self._frames: deque[np.ndarray | None] = deque(maxlen=max_entries)
        # Ids outlive positions (which shift as old entries go) and are never reused,
        # even after a reset, so work cached per entry can be keyed by them.
        self._ids: deque[int] = deque(maxlen=max_entries)
        self._next_id = 0

    def __len__(self) -> int:
        return len(self._times)

    def clear(self) -> None:
        """Forgets everything (after a seek, or when the source changes)."""
        self._times.clear()
        self._embs.clear()
        self._frames.clear()
        self._ids.clear()

    def append(self, t: float, embedding: np.ndarray | None, frame: np.ndarray | None = None) -> None:
        """Adds one frame's entry.

        Args:
            t: the frame's source time, seconds; must not go backwards (else the buffer resets).
            embedding: (embed_dim,) from the frame encoder, or None for
                architectures that cannot be split (then `frame` is used).
            frame: the preprocessed frame (h, w, c), kept for the predictor
                and for unsplittable classifiers.
        """
        if self._times and t < self._times[-1]:
            # Time went backwards (a loop restarted the file): old entries would poison windows.
            self.clear()
        self._times.append(float(t))
        self._embs.append(embedding)
        self._frames.append(frame)
        self._ids.append(self._next_id)
        self._next_id += 1
        while self._times and self._times[-1] - self._times[0] > self.horizon_s:
            self._times.popleft()
            self._embs.popleft()
            self._frames.popleft()
            self._ids.popleft()

    def sample_indices(self, length: int, fps: float, first: int | None = None) -> list[int] | None:
        """Picks the entries of a window of `length` steps at `fps`, ending now.

        Args:
            length: frames in the window (T).
            fps: the model's frame rate.
            first: while the buffer is young, a window of `first` <= `length` real steps
                will do: its older steps repeat the oldest entry (a still start, as the
                model was trained: `ModelConfig.decide_from`). None: `length`.

        Returns:
            `length` buffer positions, oldest first, or None when the buffer does
            not yet reach back (first - 1) / fps seconds (within half a step).
        """
        if not self._times:
            return None
        times = np.fromiter(self._times, np.float64, len(self._times))
        t_end = times[-1]
        targets = t_end - (np.arange(length - 1, -1, -1) / fps)
        oldest = times[0] - 0.5 / fps
        if targets[0] < oldest:
            real = min(first or length, length)  # the newest steps that must be in the buffer
            if targets[length - real] < oldest:
                return None
            targets = np.maximum(targets, times[0])
        pos = np.searchsorted(times, targets)
        pos = np.clip(pos, 1, len(times) - 1) if len(times) > 1 else np.zeros_like(pos)
        if len(times) > 1:
            left_closer = (targets - times[pos - 1]) <= (times[pos] - targets)
            pos = np.where(left_closer, pos - 1, pos)
        return pos.tolist()

    def ids(self, positions: list[int]) -> list[int]:
        """The entries' ids at `positions`: unique for the ring's lifetime, never reused."""
        return [self._ids[i] for i in positions]

    def embeddings(self, positions: list[int]) -> np.ndarray:
        """Stacks embeddings at `positions`: (len(positions), embed_dim)."""
        return np.stack([self._embs[i] for i in positions])

    def frames(self, positions: list[int]) -> np.ndarray:
        """Stacks preprocessed frames at `positions`: (len(positions), h, w, c)."""
        return np.stack([self._frames[i] for i in positions])
