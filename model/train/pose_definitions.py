"""Training labels by the definitions in the data's SOURCES.md: one sweep is a raise, repeats are a wave.

Two pairs of actions look alike in the landmarks, and the definitions settle them:
- `side_arm_raise` is **one** sweep of both arms from the sides to overhead, then held or
  lowered once; `wave_two_hands` is both arms swinging **several times**. A two-hand wave filmed
  whole (KARD's, with the person at rest before and after) therefore begins with a side arm raise:
  its first rise is taught as one, its windows become a wave only once the second swing is in
  them, and its final fall (arms coming down to rest) is neither and is left out. A raise
  lowered once is taught from the raises themselves (`lowered_once`).
- `jumping_jack` is repeated sweeps while the legs jump; the same sweeps over legs that stand
  still are a wave. So views of jumping jacks whose legs are replaced by a real person's standing
  legs teach `wave_two_hands` (one source, "jacks over standing legs"): without them the model
  learnt "arms sweeping: jumping jack" and named two-hand waves in other rooms jumping jacks.

Everything here reads the arm bones' elevation in the picture, so it is the same for any room,
distance or person, and works on augmented views (faster, slower, turned) as on the clip itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.pose.features import (
    ARM_BONES,
    LEFT_FOREARM,
    LEFT_UPPER_ARM,
    MIN_STROKE,
    PRESENCE_INDEX,
    RIGHT_FOREARM,
    RIGHT_UPPER_ARM,
    SMOOTH_STEPS,
    split_features,
)
from model.train.head import window_starts
from model.train.pose_augment import turned
from model.train.pose_legs import LEG_COLUMNS, LEG_JITTER

RAISE_LABEL = "side_arm_raise"
WAVE_LABEL = "wave_two_hands"
JACK_LABEL = "jumping_jack"
ONE_HAND_LABEL = "wave_one_hand"
# A forearm whose picture direction points up by more than this is raised (0.5: 30 degrees above level).
RAISED_FOREARM = 0.5
# Arm elevation is the mean upward component of the four arm bones in the picture: -1 hanging at
# the sides, 0 out sideways at shoulder height, +1 straight up.
# Below this the arms hang: people at rest measure -0.95 to -0.75, arms leaving the sides pass it.
ARMS_DOWN = -0.6
# Above this the arms are up: KARD's two-hand wave arcs between about 0.1 (shoulder height) and
# 0.9, ud810's raises end at 0.8 to 0.95.
ARMS_UP = 0.3
# Steps the arms must have been moving in a window's end before it teaches the raise.
MIN_RISE_STEPS = 3


def arm_elevation(features: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) -> (t,) mean upward component of the seen arm bones; NaN where none is seen."""
    flat, _ = split_features(np.asarray(features, np.float32))
    arms = flat[:, list(ARM_BONES)]
    seen = (np.abs(arms).sum(-1) > 0) & (features[:, PRESENCE_INDEX] > 0)[:, None]
    up = np.where(seen, -arms[..., 1], 0.0).sum(-1)
    count = seen.sum(-1)
    out = np.full(len(features), np.nan, np.float32)
    np.divide(up, count, out=out, where=count > 0)
    return out


def _held_and_smoothed(values: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """(t, d) values -> the same, steps not `seen` holding the last seen step (the first seen one
    before it), then a moving average over `SMOOTH_STEPS` per column; as they are if none is seen.

    Arms lost for a moment are not a swing, and tracking jitter must not count as one.
    """
    if not seen.any():
        return values
    last = np.maximum.accumulate(np.where(seen, np.arange(len(values)), -1))
    held = values[np.where(last >= 0, last, int(np.flatnonzero(seen)[0]))]
    kernel = np.ones(SMOOTH_STEPS) / SMOOTH_STEPS
    padded = np.pad(held, ((SMOOTH_STEPS // 2, SMOOTH_STEPS - 1 - SMOOTH_STEPS // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(held.shape[1])],
                    1).astype(np.float32)


def _smooth(elevation: np.ndarray) -> np.ndarray:
    """(t,) `arm_elevation` -> held over unseen steps and smoothed (all NaN if never seen)."""
    return _held_and_smoothed(elevation[:, None], ~np.isnan(elevation))[:, 0]


@dataclass(frozen=True)
class Sweeps:
    """Where a two-arm movement's sweeps are, in steps of its features (None: not in the clip).

    Attributes:
        onset: the arms leave the sides (the clip begins at rest).
        top: the first stroke turns (the arms reached the top, unless held there).
        second: a swing after the first turns back and is under way: from here on it is a wave.
        fall: the arms leave the top for the last time and come down to the sides by the clip's end.
    """

    onset: int | None
    top: int | None
    second: int | None
    fall: int | None


def arm_path(features: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) -> (t, 8): the four arm bones' picture directions, smoothed; unseen steps
    hold the last seen directions (arms lost for a moment are not a swing; a bone lost alone
    reads as zeros)."""
    flat, _ = split_features(np.asarray(features, np.float32))
    arms = flat[:, list(ARM_BONES)].reshape(len(features), -1).astype(np.float32)
    # Nobody seen at all: the arms are zeros, and stay so.
    return _held_and_smoothed(arms, (np.abs(arms).sum(-1) > 0) & (features[:, PRESENCE_INDEX] > 0))


def turning_points(path: np.ndarray, min_stroke: float = MIN_STROKE) -> list[tuple[int, int]]:
    """Where a (t, d) path turns back: (the step it turned at, the step that confirmed it).

    A stroke runs from one turning point to the farthest point reached from it; it turns there
    once the path has come back from that point by `min_stroke`, and the stroke itself was at
    least that long. The arms swinging up, across or down all count, whatever their direction.
    """
    turns: list[tuple[int, int]] = []
    start, far, far_d = 0, 0, 0.0
    for k in range(1, len(path)):
        d = float(np.linalg.norm(path[k] - path[start]))
        if d >= far_d:
            far, far_d = k, d
        elif far_d >= min_stroke and np.linalg.norm(path[k] - path[far]) >= min_stroke:
            turns.append((far, k))
            start, far, far_d = far, k, float(np.linalg.norm(path[k] - path[far]))
    return turns


def find_sweeps(features: np.ndarray) -> Sweeps:
    """The sweeps of a clip's arms, from (t, FEATURE_DIM) features at the model's fps.

    The strokes of the arms (`turning_points` of `arm_path`) tell one raise from a wave: a raise
    is one stroke up (and one down, if lowered); a wave turns again while the arms are up,
    whether its arcs go up and down (KARD's) or side to side overhead (Weizmann's).
    """
    e = _smooth(arm_elevation(features))
    if not len(e) or np.isnan(e).all() or not (e >= ARMS_UP).any():
        return Sweeps(None, None, None, None)
    first_up = int(np.flatnonzero(e >= ARMS_UP)[0])
    down_before = np.flatnonzero(e[:first_up] <= ARMS_DOWN)
    onset = int(down_before[-1]) + 1 if len(down_before) else None
    turns = turning_points(arm_path(features))
    top = turns[0][0] if turns else None
    # The arms end at the sides: the last stroke is the fall, from the last turn.
    ends_down = bool((e[-SMOOTH_STEPS:] <= ARMS_DOWN).any())
    fall = turns[-1][0] if ends_down and turns else None
    waving = [confirmed for at, confirmed in turns[1:] if fall is None or at < fall]
    second = waving[0] if waving else None
    return Sweeps(onset, top, second, fall)


def wave_window_labels(features: np.ndarray, steps: int, stride: int) -> list[str | None]:
    """The label of each window of a two-hand wave clip, by the definitions.

    Args:
        features: (t, FEATURE_DIM) one view of the clip at the model's fps.
        steps: window length (T).
        stride: steps between window starts (as `model.train.head.cut_windows`).

    Returns:
        One entry per window of `cut_windows(features, steps, stride)`: `RAISE_LABEL` for
        windows that end in the first rise (or while it is held or turns once), `WAVE_LABEL`
        once a second swing is in the window, None for the final fall and for windows that end
        before the arms have moved (the caller teaches those at rest as idle).
    """
    sweeps = find_sweeps(features)
    labels: list[str | None] = []
    for start in window_starts(len(features), steps, stride):
        end = start + steps  # one past the window's last step
        if sweeps.fall is not None and end > sweeps.fall + 1:
            # Taught as a raise when the clip made one sweep, the falls of KARD's waves that the
            # strokes miss named their waves side raises; `lowered_once` teaches a raise's fall.
            labels.append(None)
        elif sweeps.onset is None:
            # Already moving at the clip's start (a clip cut mid-wave): a wave throughout.
            labels.append(WAVE_LABEL)
        elif sweeps.second is not None and end > sweeps.second:
            labels.append(WAVE_LABEL)
        elif end >= sweeps.onset + MIN_RISE_STEPS:
            labels.append(RAISE_LABEL)
        else:
            labels.append(None)
    return labels


def taught_labels(clip_labels: set[str], labels: Sequence[str]) -> set[str]:
    """The labels training windows teach, from the labels of the clips trained on.

    With both a side raise and a two-hand wave among `labels`, a two-hand wave clip also
    teaches its first rise as a raise, and a jumping jack over standing legs teaches a wave
    and its first rise (`wave_window_labels`): a fold without a side raise clip still learns
    the raise from them.
    """
    taught = set(clip_labels)
    if {RAISE_LABEL, WAVE_LABEL} <= set(labels) and taught & {WAVE_LABEL, JACK_LABEL}:
        taught |= {RAISE_LABEL, WAVE_LABEL}
    return taught


def lowered_once(features: np.ndarray) -> np.ndarray:
    """A side arm raise that ends overhead, then lowered the way it rose: (t, F) -> (2t - 1, F).

    ud810's raises end with the hands overhead; a person before a camera lowers them again,
    and one sweep up and down is still one raise. The way down is the way up played backwards
    (the arms' path, not its speed, is what the definitions go by). A clip whose arms do not
    end up is returned as it is.
    """
    e = _smooth(arm_elevation(features))
    seen = e[~np.isnan(e)]
    if not len(seen) or seen[-1] < ARMS_UP:
        return features
    return np.concatenate([features, features[-2::-1]])


def reached_once(features: np.ndarray, hold: int) -> np.ndarray | None:
    """A one-hand wave's own rise, held, then lowered the way it rose, with no swing: (t, F) ->
    (2r + hold + 2, F), r the step the hand is first up; None if the clip starts with it up.

    A wave is a hand swinging side to side, several times. A hand that goes up, stays and comes
    down (a drink, a phone call, catching a cap) is none of the actions; without it the model took
    any raised hand in a new room for a wave. Made from the waves' own rises, it differs from them
    in the swing alone.
    """
    up = raised_hand(features)
    if not up.any() or up[0]:
        return None
    r = int(np.argmax(up))
    return np.concatenate([features[: r + 1], np.repeat(features[r : r + 1], hold, axis=0), features[r::-1]])


def waving_arm(flat: np.ndarray, present: np.ndarray) -> int:
    """The arm of a one-hand wave, 0 (left) or 1 (right): the one whose forearm swings most sideways
    in the picture over the steps with a person. flat: (t, NUM_BONES, 2); present: (t,) bool."""
    fore = (LEFT_FOREARM, RIGHT_FOREARM)
    return int(np.argmax([flat[present, b, 0].std() if present.any() else 0.0 for b in fore]))


def raised_share(forearm: np.ndarray) -> np.ndarray:
    """(t, 2) picture directions of a forearm -> (t,) in [0, 1]: 0 while it points below level
    (up-component under -0.2), 1 once raised (`RAISED_FOREARM`), in between as it rises, so a
    change weighted by it leaves the rise from rest and the fall back gradual."""
    return np.clip((-forearm[:, 1] + 0.2) / (RAISED_FOREARM + 0.2), 0.0, 1.0)


def with_elbow_at(features: np.ndarray, elevation: float) -> np.ndarray:
    """A one-hand wave with its waving arm's upper arm turned to `elevation` radians above level
    in the picture (the forearm's swing kept): (t, F) -> (t, F).

    A wave is the forearm and hand swinging; the elbow may hang low (a hello), stand out at the
    shoulder or rise overhead. Each source of waves shows one or two of these; turned, the waves
    of any source teach all of them. Each step turns by as much as its forearm is raised, so the
    rise from rest and the fall back stay where they were.
    """
    out = np.array(features, np.float32, copy=True)
    flat, world = split_features(out)
    seen = features[:, PRESENCE_INDEX] > 0
    k = waving_arm(flat, seen)
    upper, forearm = (LEFT_UPPER_ARM, RIGHT_UPPER_ARM)[k], (LEFT_FOREARM, RIGHT_FOREARM)[k]
    weight = raised_share(flat[:, forearm]) * seen * (np.abs(flat[:, upper]).sum(-1) > 0)
    if not (weight > 0.5).any():
        return out
    mid = np.median(flat[weight > 0.5, upper], axis=0)
    side = 1.0 if mid[0] >= 0 else -1.0
    turn = np.arctan2(-np.sin(elevation), side * np.cos(elevation)) - np.arctan2(mid[1], mid[0])
    turn = (turn + np.pi) % (2 * np.pi) - np.pi
    for view in (flat, world):
        view[:, upper] = turned(view[:, upper], weight * turn, (0, 1))
    return out


def raised_hand(features: np.ndarray) -> np.ndarray:
    """(n, FEATURE_DIM) -> (n,) bool: one forearm points up in the picture, the other arm hangs."""
    flat, _ = split_features(features)
    up = flat[:, [LEFT_FOREARM, RIGHT_FOREARM], 1] < -RAISED_FOREARM
    down = flat[:, [LEFT_UPPER_ARM, RIGHT_UPPER_ARM], 1] > 0.5
    return (features[:, PRESENCE_INDEX] > 0) & ((up[:, 0] & down[:, 1]) | (up[:, 1] & down[:, 0]))


def with_standing_legs(features: np.ndarray, donors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A view whose legs, seen or not, are one real standing person's, on every step with a person.

    Args:
        features: (t, FEATURE_DIM) one view (a jumping jack's).
        donors: (n, FEATURE_DIM) frames of people at rest with their legs seen.
        rng: random source.

    Returns:
        A new (t, FEATURE_DIM) array; `features` itself when there is no donor.
    """
    if not len(donors):
        return features
    present = features[:, PRESENCE_INDEX] > 0
    out = features.copy()
    legs = donors[rng.integers(len(donors))][LEG_COLUMNS]
    noise = rng.normal(0.0, LEG_JITTER, (int(present.sum()), len(LEG_COLUMNS)))
    out[np.ix_(present, LEG_COLUMNS)] = (legs[None, :] + noise).astype(np.float32)
    return out


def without_legs(features: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) -> a new (t, FEATURE_DIM) view with the legs (and the bend cue) unseen on every step.

    A jumping jack is told by its legs; with none seen, its sweeps are all that is left, and
    repeated sweeps are a two-hand wave's.
    """
    out = features.copy()
    out[:, LEG_COLUMNS] = 0.0
    return out


def clip_expectation(features: np.ndarray, label: str) -> tuple[str, int | None]:
    """What a clip is by the definitions, and the model step from which that holds.

    Args:
        features: (t, FEATURE_DIM) the clip as it is, at the model's fps.
        label: its manifest label.

    Returns:
        (label, step): a two-hand wave clip whose arms make one sweep from the sides is a side
        arm raise (from step 0); one with a second swing is a wave from that swing on; any other
        clip is its label from step 0. The step is None when the wave never starts (same as 0).
    """
    if label != WAVE_LABEL:
        return label, 0
    sweeps = find_sweeps(features)
    if sweeps.onset is None:
        return WAVE_LABEL, 0
    if sweeps.second is None:
        return RAISE_LABEL, 0
    return WAVE_LABEL, sweeps.second
