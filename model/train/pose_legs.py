"""Standing legs for views of clips whose legs the frame cuts off.

Most clips of arm actions (waves, arm raises) are framed at the waist, so their
legs are unseen, while most clips of other motion show the whole body. Taught
like that, a model learns "legs in view: not a wave" and calls a full-body wave
in another room `other` (held out, KARD's ten one-hand waves: none of ten named;
with borrowed legs, ten of ten). So a training view of a clip whose label keeps
the legs still may borrow the legs of a real person standing at rest, taken from
any training clip, on the frames where its own legs are unseen. Labels whose
legs move (a jumping jack's) never borrow: standing legs would be a lie there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.pose.features import (
    BEND_INDEX,
    FEATURE_DIM,
    LEG_PICTURE_COLUMNS,
    LEGS,
    NUM_BONES,
    PRESENCE_INDEX,
)

# Columns of the leg bones in a feature vector: picture (x, y), then world (x, y, z).
# The bend cue goes with the legs: it measures the torso against the thighs, and a borrowed
# standing person's is what this upright person's would be.
LEG_COLUMNS = np.array([*LEG_PICTURE_COLUMNS, *(NUM_BONES * 2 + 3 * b + k for b in LEGS for k in range(3)),
                        BEND_INDEX])
# Mean change of the leg directions per model step above which a label's legs move: standing
# jitter measures about 0.01-0.03, jumping jacks about 0.07-0.13, at 10 fps.
STILL_LEGS_BELOW = 0.05
# Steps of seen legs a clip needs before its leg movement is measured.
MIN_LEG_STEPS = 5
# Noise on the borrowed legs, so that the same donor frame is never twice the same.
LEG_JITTER = 0.03


def _picture_legs(features: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) -> (t, 4, 2): the picture directions of the leg bones (zeros: unseen)."""
    return features[:, LEG_PICTURE_COLUMNS].reshape(len(features), len(LEGS), 2)


def legs_seen(features: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) -> (t,) bool: a person in view with all four leg bones seen."""
    return (features[:, PRESENCE_INDEX] > 0) & (np.abs(_picture_legs(features)).sum(-1) > 0).all(-1)


def leg_motion(features: np.ndarray) -> float | None:
    """Mean change of the picture leg directions per step, over steps whose legs are seen; None if too few."""
    seen = legs_seen(features)
    both = seen[1:] & seen[:-1]
    if both.sum() < MIN_LEG_STEPS:
        return None
    legs = _picture_legs(features)
    step = np.linalg.norm(legs[1:] - legs[:-1], axis=-1).mean(-1)
    return float(step[both].mean())


def standing_labels(features_by_label: dict[str, Sequence[np.ndarray]]) -> set[str]:
    """Labels whose legs stand still: the median clip's `leg_motion` is under `STILL_LEGS_BELOW`.

    Args:
        features_by_label: {label: each clip's (t, FEATURE_DIM) features}.

    Returns:
        The labels that may borrow standing legs; a label none of whose clips shows its
        legs counts as standing (arm actions filmed at the waist), one whose legs move does not.
    """
    out = set()
    for label, clips in features_by_label.items():
        moves = [m for m in (leg_motion(f) for f in clips) if m is not None]
        if not moves or float(np.median(moves)) < STILL_LEGS_BELOW:
            out.add(label)
    return out


def lend_legs(features: np.ndarray, donors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One donor's standing legs on the steps of a view where a person is seen without legs.

    Args:
        features: (t, FEATURE_DIM) one view.
        donors: (n, FEATURE_DIM) frames of people at rest with their legs seen.
        rng: random source.

    Returns:
        A new (t, FEATURE_DIM) array; `features` itself when there is no donor or nothing to fill.
    """
    need = (features[:, PRESENCE_INDEX] > 0) & ~legs_seen(features)
    if not len(donors) or not need.any():
        return features
    legs = donors[rng.integers(len(donors))][LEG_COLUMNS]
    out = features.copy()
    noise = rng.normal(0.0, LEG_JITTER, (int(need.sum()), len(LEG_COLUMNS)))
    out[np.ix_(need, LEG_COLUMNS)] = (legs[None, :] + noise).astype(np.float32)
    return out


assert LEG_COLUMNS.max() < FEATURE_DIM
