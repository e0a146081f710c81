"""Stage 5: landmarks -> one vector per frame that the room, the distance and the place do not change.

Per frame, for each of the `BODY_JOINTS`:
- its image position relative to the hip centre, divided by the body's size
  (the hip centre to the body-size point), so a far small person and a near
  large one, anywhere in the picture, give the same numbers;
- its world position (metres, centred on the hips, doubled to be about unit size),
  which rotation about the body can augment;
a joint the model does not see (visibility below `MIN_VISIBILITY`) is zeros, so
legs cut off by the frame look alike in every room; and last, 1 if a person is
in view, else 0 (then everything is zeros).

The same function serves training (whole clips) and the live engine (one frame).
"""

from __future__ import annotations

import numpy as np

from model.config import POSE_FEATURE_DIM
from model.pose.skeleton import BODY_JOINTS, LEFT_HIP, MIRROR, RIGHT_HIP

NUM_JOINTS = len(BODY_JOINTS)
FEATURE_DIM = NUM_JOINTS * 5 + 1
assert FEATURE_DIM == POSE_FEATURE_DIM, "model.config.POSE_FEATURE_DIM must follow BODY_JOINTS"
PRESENCE_INDEX = FEATURE_DIM - 1
# Below this the landmark is the model's guess of a joint it cannot see.
MIN_VISIBILITY = 0.5
_WORLD_SCALE = 2.0
# MIRROR restricted to BODY_JOINTS: position k of a flipped body holds joint JOINT_MIRROR[k].
JOINT_MIRROR = tuple(BODY_JOINTS.index(MIRROR[j]) for j in BODY_JOINTS)


def normalised_joints(image: np.ndarray, world: np.ndarray, visibility: np.ndarray,
                      present: np.ndarray, body_size: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres and scales the joints of a sequence of frames.

    Args:
        image: (t, 33, >=2) image pixels.
        world: (t, 33, 3) metres.
        visibility: (t, 33).
        present: (t,) bool.
        body_size: (t,) pixels.

    Returns:
        (flat (t, J, 2), world (t, J, 3), seen (t, J) bool) for the J `BODY_JOINTS`.
    """
    joints = list(BODY_JOINTS)
    hips = (image[:, LEFT_HIP, :2] + image[:, RIGHT_HIP, :2]) / 2.0
    size = np.maximum(np.asarray(body_size, np.float32), 1e-3)[:, None, None]
    flat = (image[:, joints, :2] - hips[:, None, :]) / size
    seen = (visibility[:, joints] >= MIN_VISIBILITY) & np.asarray(present, bool)[:, None]
    return flat.astype(np.float32), (world[:, joints] * _WORLD_SCALE).astype(np.float32), seen


def flatten_features(flat: np.ndarray, world: np.ndarray, seen: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Joints -> the feature vectors.

    Args:
        flat: (t, J, 2); world: (t, J, 3); seen: (t, J) bool; present: (t,).

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
    flat, world, seen = normalised_joints(track.image, track.world, track.visibility, track.present,
                                          track.body_size)
    return flatten_features(flat, world, seen, track.present)


def pose_features(pose) -> np.ndarray:
    """One frame's features, (FEATURE_DIM,); zeros with presence 0 for None (nobody in view)."""
    if pose is None:
        return np.zeros(FEATURE_DIM, np.float32)
    size = np.linalg.norm(pose.body_top - pose.hip_centre)
    flat, world, seen = normalised_joints(pose.image[None], pose.world[None], pose.visibility[None],
                                          np.ones(1, bool), np.array([size], np.float32))
    return flatten_features(flat, world, seen, np.ones(1, bool))[0]


def mirror_features(x: np.ndarray) -> np.ndarray:
    """Features of the mirrored picture (left and right swapped), any leading shape (..., FEATURE_DIM)."""
    x = np.array(x, np.float32, copy=True)
    lead = x.shape[:-1]
    flat = x[..., : NUM_JOINTS * 2].reshape(*lead, NUM_JOINTS, 2)[..., JOINT_MIRROR, :]
    world = x[..., NUM_JOINTS * 2 : NUM_JOINTS * 5].reshape(*lead, NUM_JOINTS, 3)[..., JOINT_MIRROR, :]
    flat[..., 0] *= -1.0
    world[..., 0] *= -1.0
    x[..., : NUM_JOINTS * 2] = flat.reshape(*lead, -1)
    x[..., NUM_JOINTS * 2 : NUM_JOINTS * 5] = world.reshape(*lead, -1)
    return x
