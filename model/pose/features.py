"""Stage 5: landmarks -> one vector per frame that the room, the distance and the body do not change.

A frame is described by the directions of its bones: the torso (hip centre to
shoulder centre), both upper arms and forearms, both thighs and shins. A
direction is a unit vector, so it is the same for a far small person and a
near large one, anywhere in the picture, tall or short. Each bone is given twice:
- in world coordinates (BlazePose's metric 3D, centred on the hips), where a
  front arm raise and a side arm raise point different ways, and which
  rotation about the body can augment;
- in the picture (2D), which BlazePose measures more surely than depth.
A bone whose ends the model does not see (visibility below `MIN_VISIBILITY`)
is zeros, so legs cut off by the frame look alike in every room. Last, 1 if a
person is in view, else 0 (then everything is zeros).

The same functions serve training (whole clips) and the live engine (one frame).
"""

from __future__ import annotations

import numpy as np

from model.config import POSE_FEATURE_DIM
from model.pose.skeleton import (
    LEFT_ANKLE,
    LEFT_ELBOW,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    LEFT_WRIST,
    RIGHT_ANKLE,
    RIGHT_ELBOW,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    RIGHT_WRIST,
)

# (from, to) landmarks of each bone; the torso runs from the hip centre to the shoulder centre.
TORSO = 0
BONES = (
    ((LEFT_HIP, RIGHT_HIP), (LEFT_SHOULDER, RIGHT_SHOULDER)),
    ((LEFT_SHOULDER,), (LEFT_ELBOW,)), ((LEFT_ELBOW,), (LEFT_WRIST,)),
    ((RIGHT_SHOULDER,), (RIGHT_ELBOW,)), ((RIGHT_ELBOW,), (RIGHT_WRIST,)),
    ((LEFT_HIP,), (LEFT_KNEE,)), ((LEFT_KNEE,), (LEFT_ANKLE,)),
    ((RIGHT_HIP,), (RIGHT_KNEE,)), ((RIGHT_KNEE,), (RIGHT_ANKLE,)),
)
LEFT_UPPER_ARM, LEFT_FOREARM, RIGHT_UPPER_ARM, RIGHT_FOREARM = 1, 2, 3, 4
LEGS = (5, 6, 7, 8)
NUM_BONES = len(BONES)
# BONE_MIRROR[k] is the bone that k becomes when the picture is flipped left to right.
BONE_MIRROR = (0, 3, 4, 1, 2, 7, 8, 5, 6)
FEATURE_DIM = NUM_BONES * 5 + 1
PRESENCE_INDEX = FEATURE_DIM - 1
assert FEATURE_DIM == POSE_FEATURE_DIM, "model.config.POSE_FEATURE_DIM must follow BONES"
# Below this the landmark is the model's guess of a joint it cannot see.
MIN_VISIBILITY = 0.5


def _bone_matrices() -> tuple[np.ndarray, np.ndarray]:
    # (B, 33): row k takes the mean of bone k's end joints minus the mean of its start joints,
    # so one matrix product gives every bone of every frame; and which joints each bone needs.
    spans = np.zeros((NUM_BONES, 33), np.float32)
    needs = np.zeros((NUM_BONES, 33), bool)
    for k, (start, end) in enumerate(BONES):
        spans[k, list(end)] += 1.0 / len(end)
        spans[k, list(start)] -= 1.0 / len(start)
        needs[k, list(start + end)] = True
    return spans, needs


_SPANS, _NEEDS = _bone_matrices()


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-6)


def bone_directions(image: np.ndarray, world: np.ndarray, visibility: np.ndarray,
                    present: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit directions of the bones in a sequence of frames.

    Args:
        image: (t, 33, >=2) image pixels.
        world: (t, 33, 3) metres.
        visibility: (t, 33).
        present: (t,) bool.

    Returns:
        (picture (t, B, 2), world (t, B, 3), seen (t, B) bool) for the B `BONES`.
    """
    flat = _unit(np.einsum("bj,tjc->tbc", _SPANS, np.asarray(image, np.float32)[..., :2]))
    deep = _unit(np.einsum("bj,tjc->tbc", _SPANS, np.asarray(world, np.float32)))
    unseen = ~(np.asarray(visibility) >= MIN_VISIBILITY)  # (t, 33); NaN is unseen
    seen = ~(unseen[:, None, :] & _NEEDS[None]).any(axis=2)
    seen &= np.asarray(present, bool)[:, None]
    return flat.astype(np.float32), deep.astype(np.float32), seen


def flatten_features(flat: np.ndarray, world: np.ndarray, seen: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Bone directions -> the feature vectors.

    Args:
        flat: (t, B, 2); world: (t, B, 3); seen: (t, B) bool; present: (t,).

    Returns:
        float32 (t, FEATURE_DIM).
    """
    t = len(flat)
    mask = seen[..., None].astype(np.float32)
    out = np.concatenate([(flat * mask).reshape(t, -1), (world * mask).reshape(t, -1),
                          np.asarray(present, np.float32)[:, None]], axis=1)
    return out.astype(np.float32)


def track_features(track) -> np.ndarray:
    """A `model.pose.track.PoseTrack` as features, (t, FEATURE_DIM)."""
    flat, world, seen = bone_directions(track.image, track.world, track.visibility, track.present)
    return flatten_features(flat, world, seen, track.present)


def pose_features(pose) -> np.ndarray:
    """One frame's features, (FEATURE_DIM,); zeros with presence 0 for None (nobody in view)."""
    if pose is None:
        return np.zeros(FEATURE_DIM, np.float32)
    present = np.ones(1, bool)
    flat, world, seen = bone_directions(pose.image[None], pose.world[None], pose.visibility[None], present)
    return flatten_features(flat, world, seen, present)[0]


def split_features(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., FEATURE_DIM) -> (picture (..., B, 2), world (..., B, 3)) views of the bone directions."""
    lead = x.shape[:-1]
    return (x[..., : NUM_BONES * 2].reshape(*lead, NUM_BONES, 2),
            x[..., NUM_BONES * 2 : NUM_BONES * 5].reshape(*lead, NUM_BONES, 3))


def mirror_features(x: np.ndarray) -> np.ndarray:
    """Features of the mirrored picture (left and right swapped), any leading shape (..., FEATURE_DIM)."""
    x = np.array(x, np.float32, copy=True)
    flat, world = split_features(x)
    flat, world = flat[..., BONE_MIRROR, :].copy(), world[..., BONE_MIRROR, :].copy()
    flat[..., 0] *= -1.0
    world[..., 0] *= -1.0
    x[..., : NUM_BONES * 2] = flat.reshape(*x.shape[:-1], -1)
    x[..., NUM_BONES * 2 : NUM_BONES * 5] = world.reshape(*x.shape[:-1], -1)
    return x
