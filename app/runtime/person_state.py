"""What one person carries from frame to frame: their embeddings, smoother, last probabilities and count.

With several people in view each has their own window: a label can only mean
what one person did. The rules are those of the one-person processor
(`app.runtime.processor`): a window with fewer than half its steps holding the
person says `no person` and resets the smoother; the head runs every `stride` steps.
"""

from __future__ import annotations

import numpy as np

from app.runtime.embedding_ring import EmbeddingRing
from app.runtime.rep_counter import RepCounter
from app.runtime.smoothing import LabelSmoother
from app.settings import SmoothingSettings


class PersonState:
    """One tracked person's history.

    A new person's ring starts full of steps without them, as the one-person ring is when
    someone walks into an empty room: they are judged once half a window holds them, not
    before, so a person only just found is not drawn yet, as in the one-person path.

    Args:
        config: the model's config (labels, fps, longest window, idle and background labels).
        smoothing: the smoother's settings.
        t: the source time the person was first found, seconds.
        nobody: the embedding of a frame without a person, (embed_dim,).
    """

    def __init__(self, config, smoothing: SmoothingSettings, t: float, nobody: np.ndarray):
        self.config = config
        idle = config.idle_label if config.idle_label in config.labels else ""
        self.smoother = LabelSmoother(config.labels, smoothing, idle_label=idle,
                                      background_label=config.background_label,
                                      unknown_below=config.unknown_below)
        self.ring = EmbeddingRing(horizon_s=(config.max_frames + 1) / config.fps)
        self._present: dict[int, bool] = {}
        self.steps = 0
        self.last_probs: np.ndarray | None = None
        # Their own count, gone with the track; it starts from the movements that led to the label.
        self.reps = RepCounter(idle, config.background_label, config.max_frames / config.fps + smoothing.min_dwell_s)
        for k in range(config.max_frames, 0, -1):
            self.append(t - k / config.fps, nobody, False)

    def append(self, t: float, embedding: np.ndarray, present: bool) -> None:
        """Adds this frame's embedding, (embed_dim,), and whether the person was seen in it."""
        self.ring.append(t, embedding)
        self._present[self.ring.ids([len(self.ring) - 1])[0]] = present
        oldest = self.ring.ids([0])[0]
        for key in [key for key in self._present if key < oldest]:
            del self._present[key]  # its entry left the ring

    def window(self, length: int) -> list[int] | None:
        """The ring positions of a `length`-step window ending now, or None before one is held.

        For a model that decides from part of its window (`ModelConfig.decide_from`), the steps
        before a new person's first are that first step held, as the model learnt them and as
        the one-person path samples them, rather than steps of nobody.
        """
        positions = self.ring.sample_indices(length, self.config.fps)
        still = self.config.still_start
        if positions is None or not still:
            return positions
        ids = self.ring.ids(positions)
        first = next((k for k, i in enumerate(ids) if self._present.get(i, False)), 0)
        if 0 < first <= still:
            positions[:first] = [positions[first]] * first
        return positions

    def nobody(self, positions: list[int]) -> bool:
        """True when the window holds the person in fewer steps than the model decides from:
        half of them, or for a `decide_from` model that many."""
        ids = self.ring.ids(positions)
        needed = max(1, len(ids) - self.config.still_start) if self.config.still_start else 0.5 * len(ids)
        return sum(self._present.get(i, False) for i in ids) < needed

    def head_due(self, stride: int) -> bool:
        """Counts a step; True when the head should run on it."""
        self.steps += 1
        return self.last_probs is None or self.steps % stride == 0

    def forget_label(self) -> None:
        """Nobody in the window: the smoother starts afresh, so no label lingers."""
        self.smoother.reset()
        self.last_probs = None
