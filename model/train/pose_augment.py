"""Augmenting skeletons, not pixels: new views of a clip's landmarks in microseconds.

Each view of a clip's `PoseTrack` may be mirrored (left and right swapped),
turned in the picture and about the body's vertical axis, scaled, played faster
or slower, jittered, and lose joints (a leg out of the frame, a hand hidden).
These are the ways a new room and a new camera change landmarks; the person's
movement stays what it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.pose.features import (
    JOINT_MIRROR,
    NUM_JOINTS,
    flatten_features,
    normalised_joints,
    track_features,
)
from model.pose.skeleton import BODY_JOINTS, LEFT_ANKLE, LEFT_KNEE, RIGHT_ANKLE, RIGHT_KNEE

_LEGS = [BODY_JOINTS.index(j) for j in (LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE)]


@dataclass(frozen=True)
class SkeletonAugment:
    """How far each augmentation may go; the defaults are what the shipped model used.

    Attributes:
        mirror: chance of a left-right flip (only for labels whose mirror is the same action).
        roll_deg: turn in the picture, up to this many degrees either way.
        yaw_deg: turn about the vertical axis (the world landmarks), either way.
        scale: body size drawn from [1 - scale, 1 + scale].
        speed: playback speed drawn from [1 / speed, speed].
        jitter: standard deviation of per-joint noise, in body sizes.
        drop_joint: chance of each joint being unseen for a whole view.
        drop_legs: chance of both legs being out of the frame for a whole view.
    """

    mirror: float = 0.5
    roll_deg: float = 12.0
    yaw_deg: float = 35.0
    scale: float = 0.12
    speed: float = 1.3
    jitter: float = 0.015
    drop_joint: float = 0.04
    drop_legs: float = 0.3


def view_features(track, fps: float, rng: np.random.Generator | None, aug: SkeletonAugment,
                  mirror_ok: bool) -> np.ndarray:
    """One view of a clip as features at the model's fps.

    Args:
        track: the clip's `PoseTrack` at its own frame rate.
        fps: the model's frame rate.
        rng: random source; None gives the clip as it is.
        aug: the augmentation ranges.
        mirror_ok: whether flipping keeps the label.

    Returns:
        float32 (t, FEATURE_DIM).
    """
    if rng is None:
        return track_features(track.at_fps(fps))
    speed = float(np.exp(rng.uniform(-np.log(aug.speed), np.log(aug.speed))))
    sampled = track.at_fps(fps / speed)
    flat, world, seen = normalised_joints(sampled.image, sampled.world, sampled.visibility,
                                          sampled.present, sampled.body_size)
    if mirror_ok and rng.random() < aug.mirror:
        flat, world, seen = flat[:, JOINT_MIRROR], world[:, JOINT_MIRROR], seen[:, JOINT_MIRROR]
        flat[..., 0] *= -1.0
        world[..., 0] *= -1.0
    roll = np.deg2rad(rng.uniform(-aug.roll_deg, aug.roll_deg))
    flat, world = _turn(flat, roll, (0, 1)), _turn(world, roll, (0, 1))
    yaw = np.deg2rad(rng.uniform(-aug.yaw_deg, aug.yaw_deg))
    world = _turn(world, yaw, (0, 2))
    flat[..., 0] *= np.cos(yaw)  # the picture sees a body turned away as narrower
    flat *= rng.uniform(1 - aug.scale, 1 + aug.scale)
    flat += rng.normal(0, aug.jitter, flat.shape).astype(np.float32)
    world += rng.normal(0, aug.jitter, world.shape).astype(np.float32)
    keep = rng.random(NUM_JOINTS) >= aug.drop_joint
    if rng.random() < aug.drop_legs:
        keep[_LEGS] = False
    seen = seen & keep[None, :]
    return flatten_features(flat, world, seen, sampled.present)


def _turn(points: np.ndarray, angle: float, axes: tuple[int, int]) -> np.ndarray:
    """Rotates the two named coordinates of (..., d) points by `angle` radians."""
    a, b = axes
    c, s = np.cos(angle), np.sin(angle)
    out = points.copy()
    out[..., a] = c * points[..., a] - s * points[..., b]
    out[..., b] = s * points[..., a] + c * points[..., b]
    return out
