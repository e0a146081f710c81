"""A one-hand wave swept across the body at shoulder height, made from any one-hand wave.

By the definitions a one-hand wave is "one hand waving, overhead or at shoulder height, side to
side". Most sources' waves swing the forearm about a raised elbow, some 30 degrees each way. KARD's
horizontal arm wave holds the arm out in front at shoulder or head height and sweeps the hand from
across the body out to its own side, the upper arm turning about the shoulder: an arc of about
100 degrees in the picture. No other source shows that, so with KARD held out its horizontal waves
were shown as `unknown`. `swept_across` turns a wave's raised steps into such sweeps (the rise from
rest and the fall back kept), so that every source's waves teach both. Most of KARD's horizontal
waves are one sweep, though (26 of 30 clips): the hand rises across the body, sweeps out to its own
side once and falls. `swept_once` makes that from any wave, its raised middle cut out.
"""

from __future__ import annotations

import numpy as np

from model.pose.features import (
    HANDS,
    LEFT_FOREARM,
    LEFT_UPPER_ARM,
    PRESENCE_INDEX,
    RIGHT_FOREARM,
    RIGHT_UPPER_ARM,
    split_features,
    unit_vectors,
)
from model.train.pose_definitions import raised_share, waving_arm

# One sweep out and back, in seconds (KARD's: 1 to 2 s).
SWEEP_PERIOD_S = (1.0, 2.2)
# KARD's own horizontal wave (`swept_once`): the hand waits across the body, sweeps out in 0.6 s to
# 1.6 s, and is held out before it falls (seconds).
ONCE_WAIT_S, ONCE_SWEEP_S, ONCE_HELD_S = (0.0, 0.6), (0.6, 1.6), (0.0, 0.6)
# Picture angles from straight up, in degrees, positive towards the arm's own side, at the two
# ends of a sweep, as BlazePose sees KARD's ten people: the forearm points up and out, then up
# and across; the upper arm points out sideways, then forward at the camera, which the picture
# shows as hanging down and across (so it turns the long way round, through hanging).
FOREARM_OUT, FOREARM_ACROSS = 55.0, -50.0
UPPER_OUT, UPPER_ACROSS = 100.0, 200.0
# Each end drawn up to this many degrees from the above, per view.
END_SPREAD = 15.0
# Tilt towards the camera of the world directions, in degrees: the upper arm points forward more
# when the hand is across the body.
UPPER_TILT_OUT, UPPER_TILT_ACROSS = 15.0, 55.0
FOREARM_TILT = 45.0


def _angle(flat: np.ndarray) -> np.ndarray:
    """(..., 2) picture directions -> (...,) angles from straight up, radians (x positive: positive)."""
    return np.arctan2(flat[..., 0], -flat[..., 1])


def _picture(angle: np.ndarray) -> np.ndarray:
    return np.stack([np.sin(angle), -np.cos(angle)], -1)


def _world(angle: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """Picture angle and tilt towards the camera (radians) -> (..., 3) world directions (z: away)."""
    return np.stack([np.sin(angle) * np.cos(tilt), -np.cos(angle) * np.cos(tilt), -np.sin(tilt)], -1)


def swept_across(features: np.ndarray, fps: float, rng: np.random.Generator) -> np.ndarray:
    """A one-hand wave whose raised steps sweep the straight arm across the body and out.

    Args:
        features: (t, FEATURE_DIM) one view of a one-hand wave.
        fps: the view's steps per second.
        rng: random source (the sweep's pace, phase and ends).

    Returns:
        A new (t, FEATURE_DIM) array: the waving arm (the forearm that swings most sideways) and its
        hand follow the sweep wherever the forearm is raised, blended in as it rises, so the rise
        from rest and the fall back stay the clip's own; the clip itself when it never raises one.
    """
    out = np.array(features, np.float32, copy=True)
    arm = _waving_arm_weight(out)
    if arm is None:
        return out
    k, weight, seen = arm
    steps = np.arange(len(features))
    period = rng.uniform(*SWEEP_PERIOD_S) * fps
    u = 0.5 - 0.5 * np.cos(2 * np.pi * steps / period + rng.uniform(0, 2 * np.pi))  # 0: out, 1: across
    return _swung(out, k, weight, seen, u, rng)


def swept_once(features: np.ndarray, fps: float, rng: np.random.Generator) -> np.ndarray:
    """KARD's horizontal wave as it is done: the hand rises across the body, sweeps out once, falls.

    Args:
        features: (t, FEATURE_DIM) one view of a one-hand wave.
        fps: the view's steps per second.
        rng: random source (how long the hand waits across the body, the sweep's pace, the ends).

    Returns:
        A new (t', FEATURE_DIM) array, t' <= t: the clip up to its forearm's rise and a little
        more, then straight on to its fall (the raised middle cut out); the raised steps turned
        into one sweep from across the body out to the arm's own side. The clip itself when its
        forearm is never raised.
    """
    features = np.asarray(features, np.float32)
    arm = _waving_arm_weight(features)
    if arm is None:
        return np.array(features, copy=True)
    k, weight, seen = arm
    raised = np.flatnonzero(weight > 0.5)
    first, last = int(raised[0]), int(raised[-1])
    wait = int(round(rng.uniform(*ONCE_WAIT_S) * fps))
    sweep = max(2, int(round(rng.uniform(*ONCE_SWEEP_S) * fps)))
    held = int(round(rng.uniform(*ONCE_HELD_S) * fps))
    cut = first + wait + sweep + held
    keep = np.concatenate([np.arange(cut), np.arange(last, len(features))]) if cut < last \
        else np.arange(len(features))
    out = np.array(features[keep], copy=True)
    weight, seen = weight[keep], seen[keep]
    start = first + wait
    progress = np.clip((np.arange(len(out)) - start) / sweep, 0.0, 1.0)
    u = 0.5 + 0.5 * np.cos(np.pi * progress)  # 1 (across) until the sweep, then out to 0
    return _swung(out, k, weight, seen, u, rng)


def _waving_arm_weight(features: np.ndarray) -> tuple[int, np.ndarray, np.ndarray] | None:
    """(t, FEATURE_DIM) -> (the waving arm: 0 left, 1 right; (t,) how raised its forearm is; (t,)
    bool, a person present with that upper arm and forearm seen), or None when it is never raised."""
    flat, _ = split_features(features)
    present = features[:, PRESENCE_INDEX] > 0
    k = waving_arm(flat, present)
    upper, forearm = (LEFT_UPPER_ARM, RIGHT_UPPER_ARM)[k], (LEFT_FOREARM, RIGHT_FOREARM)[k]
    seen = present & (np.abs(flat[:, [upper, forearm]]).sum(-1) > 0).all(-1)
    weight = raised_share(flat[:, forearm]) * seen  # no sweep while the forearm is down
    return (k, weight, seen) if (weight > 0.5).any() else None


def _swung(out: np.ndarray, k: int, weight: np.ndarray, seen: np.ndarray, u: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """Turns arm `k` of `out` (t, FEATURE_DIM), in place, towards the sweep's pose `u` (t,) (0: out to
    its own side, 1: across the body) by `weight` (t,); `seen` (t,) as `_waving_arm_weight` gives it.
    Returns `out`."""
    flat, world = split_features(out)  # views into `out`
    upper, forearm, hand = (LEFT_UPPER_ARM, RIGHT_UPPER_ARM)[k], (LEFT_FOREARM, RIGHT_FOREARM)[k], HANDS[k]
    # The arm's own side: where its upper arm hangs in the picture (a left arm on the right, facing
    # the camera); mirrored views follow.
    hanging = seen & (weight < 0.5)
    x = np.median(flat[hanging, upper, 0]) if hanging.any() else (1.0 if k == 0 else -1.0)
    own = 1.0 if x >= 0 else -1.0
    ends = np.deg2rad(np.array([FOREARM_OUT, FOREARM_ACROSS, UPPER_OUT, UPPER_ACROSS])
                      + rng.uniform(-END_SPREAD, END_SPREAD, 4))
    fore_t = own * (ends[0] + (ends[1] - ends[0]) * u)
    upper_t = own * (ends[2] + (ends[3] - ends[2]) * u)
    tilt_u = np.deg2rad(UPPER_TILT_OUT + (UPPER_TILT_ACROSS - UPPER_TILT_OUT) * u)
    tilt_f = np.full_like(u, np.deg2rad(FOREARM_TILT))
    moved = weight > 0  # only raised steps change: the rest stays the clip's own, bit for bit
    w = weight[:, None]
    turns = {}
    for bone, target, tilt in ((upper, upper_t, tilt_u), (forearm, fore_t, tilt_f)):
        a = _angle(flat[:, bone])
        turns[bone] = weight * ((target - a + np.pi) % (2 * np.pi) - np.pi)
        flat[moved, bone] = _picture(a + turns[bone])[moved]
        world[moved, bone] = unit_vectors((1 - w) * world[:, bone] + w * _world(target, tilt))[moved]
    hand_seen = moved & (np.abs(flat[:, hand]).sum(-1) > 0)
    # The hand goes where the forearm goes: turned with it, it keeps its own bend at the wrist.
    flat[hand_seen, hand] = _picture(_angle(flat[:, hand]) + turns[forearm])[hand_seen]
    world[hand_seen, hand] = world[hand_seen, forearm]
    return out
