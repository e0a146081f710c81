"""Augmented views of whole clips, for teaching new classes from a handful of them.

`train --from` learns a new head from embeddings, so the usual augmentation of
each training window, applied to pixels every epoch, never happens: five clips
are five fixed sequences. A few views of each clip, each changed as a whole
(played faster or slower, zoomed and shifted, brighter or darker, mirrored where
the label allows), are embedded once with the clips and cached like them. The
head then sees how a gesture varies with the person's size, place, speed and
lighting, which is what differs between one session and the next.
"""

from __future__ import annotations

import hashlib

import numpy as np

from model.data.augment import AugmentParams, augment_window
from model.data.windows import sample_speed, window_indices

# Whole-clip changes: the same strengths as training from scratch, applied once per view.
VIEW_AUGMENT = AugmentParams()


def augmented_view(frames: np.ndarray, rng: np.random.Generator, *, symmetric: bool,
                   params: AugmentParams = VIEW_AUGMENT) -> np.ndarray:
    """One clip played at a random speed and changed alike in every frame.

    Args:
        frames: uint8 (t, size, size, c) at the model's fps.
        rng: the source of randomness.
        symmetric: whether the clip's label may be mirrored.
        params: augmentation strengths; `speed_range` (None: the clip's own speed)
            sets how much faster or slower the view plays.

    Returns:
        uint8 (t', size, size, c): t' is about t / speed, and at least 2, so the
        view still gives one motion pair.
    """
    if frames.ndim != 4:
        raise ValueError(f"`frames` must have shape (time, size, size, c). Received: shape={tuple(frames.shape)}")
    n = len(frames)
    step = sample_speed(rng, params.speed_range) if params.speed_range is not None else 1.0
    length = max(2, int((n - 1) / step) + 1)
    clip = frames[window_indices(n, length, 0, step)]
    return augment_window(clip, rng, symmetric=symmetric, params=params)


def augmented_views(frames: np.ndarray, count: int, *, symmetric: bool, seed: int) -> list[np.ndarray]:
    """`count` augmented views of one clip, the same for the same clip and seed.

    Args:
        frames: uint8 (t, size, size, c).
        count: views to make (0 makes none).
        symmetric: whether the clip's label may be mirrored.
        seed: with the clip's content, fixes the views, so cached embeddings of
            them are found again when the user adds one more clip and retrains.

    Returns:
        A list of `count` uint8 (t', size, size, c) clips.
    """
    # The clip's own bytes pick its stream: views do not shift when clips are added or reordered.
    digest = hashlib.sha1(np.ascontiguousarray(frames).tobytes()).digest()
    rng = np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])
    return [augmented_view(frames, rng, symmetric=symmetric) for _ in range(count)]
