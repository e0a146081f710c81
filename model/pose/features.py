"""Stage 5: landmarks -> one vector per frame that the room, the distance and the body do not change.

A frame is described by the directions of its bones: the torso (hip centre to
shoulder centre), both upper arms and forearms, both thighs and shins, and both
hands (wrist to the knuckles: a hand waving at head height moves little else). A
direction is a unit vector, so it is the same for a far small person and a
near large one, anywhere in the picture, tall or short. Each bone is given twice:
- in world coordinates (BlazePose's metric 3D, centred on the hips), where a
  front arm raise and a side arm raise point different ways, and which
  rotation about the body can augment;
- in the picture (2D), which BlazePose measures more surely than depth.
A bone whose ends the model does not see (visibility below `MIN_VISIBILITY`)
is zeros, so legs cut off by the frame look alike in every room. Then one
number that holds from the side and from the front, `bend_cue`: the torso's
height in the picture against the thighs' length (a bow towards the camera
leaves the torso's direction pointing up, only shorter). Last, 1 if a person is
in view, else 0 (then everything is zeros).

`FEATURE_VERSION` names this layout; a bundle trained on another is refused
(`model.bundle_files.check_pose_version`).

The same functions serve training (whole clips) and the live engine (one frame).
"""

from __future__ import annotations

import numpy as np

from model.config import POSE_FEATURE_DIM, POSE_FEATURE_VERSION
from model.pose.skeleton import (
    LEFT_ANKLE,
    LEFT_ELBOW,
    LEFT_HIP,
    LEFT_INDEX,
    LEFT_KNEE,
    LEFT_PINKY,
    LEFT_SHOULDER,
    LEFT_WRIST,
    RIGHT_ANKLE,
    RIGHT_ELBOW,
    RIGHT_HIP,
    RIGHT_INDEX,
    RIGHT_KNEE,
    RIGHT_PINKY,
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
    ((LEFT_WRIST,), (LEFT_INDEX, LEFT_PINKY)), ((RIGHT_WRIST,), (RIGHT_INDEX, RIGHT_PINKY)),
)
LEFT_UPPER_ARM, LEFT_FOREARM, RIGHT_UPPER_ARM, RIGHT_FOREARM = 1, 2, 3, 4
LEGS = (5, 6, 7, 8)
ARM_BONES = (LEFT_UPPER_ARM, LEFT_FOREARM, RIGHT_UPPER_ARM, RIGHT_FOREARM)
# The picture (x, y) columns of the arm bones in a feature vector, bone by bone.
ARM_PICTURE_COLUMNS = tuple(2 * b + k for b in ARM_BONES for k in range(2))
# A stroke of the arms is at least this long in the space of the four arm bones' unit directions: a
# forearm swung 40 degrees moves 0.7, both about 1.0; standing still and tracking jitter, under 0.2.
# The training labels (model.train.pose_definitions) and `RepeatsGate` count strokes with it.
MIN_STROKE = 0.6
# The arms are smoothed over this many steps: tracking jitter must not count as a swing.
SMOOTH_STEPS = 3
# The picture (x, y) columns of the leg bones in a feature vector, bone by bone.
LEG_PICTURE_COLUMNS = tuple(2 * b + k for b in LEGS for k in range(2))
THIGHS = (5, 7)
HANDS = (9, 10)
NUM_BONES = len(BONES)
# BONE_MIRROR[k] is the bone that k becomes when the picture is flipped left to right.
BONE_MIRROR = (0, 3, 4, 1, 2, 7, 8, 5, 6, 10, 9)
# Version 1 (to 2026-12-06): the 9 body bones and presence, 46 numbers. Version 2: the hands
# and the bend cue added.
FEATURE_VERSION = 2
BEND_INDEX = NUM_BONES * 5
PRESENCE_INDEX = BEND_INDEX + 1
FEATURE_DIM = PRESENCE_INDEX + 1
assert FEATURE_DIM == POSE_FEATURE_DIM, "model.config.POSE_FEATURE_DIM must follow BONES"
assert FEATURE_VERSION == POSE_FEATURE_VERSION, "model.config.POSE_FEATURE_VERSION must follow this layout"
# Above this the torso is twice the thighs' length in the picture (sitting seen from the front):
# the cue is clipped there and scaled to [0, 1].
MAX_BEND_RATIO = 2.0
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


def unit_vectors(v: np.ndarray) -> np.ndarray:
    """(..., d) vectors -> the same directions at length 1 (a zero vector stays zero)."""
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
    flat = unit_vectors(np.einsum("bj,tjc->tbc", _SPANS, np.asarray(image, np.float32)[..., :2]))
    deep = unit_vectors(np.einsum("bj,tjc->tbc", _SPANS, np.asarray(world, np.float32)))
    unseen = ~(np.asarray(visibility) >= MIN_VISIBILITY)  # (t, 33); NaN is unseen
    seen = ~(unseen[:, None, :] & _NEEDS[None]).any(axis=2)
    seen &= np.asarray(present, bool)[:, None]
    return flat.astype(np.float32), deep.astype(np.float32), seen


def bend_cue(image: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """How tall the torso stands in the picture against the thighs: (t,) in [0, 1], 0 where unseen.

    The torso's vertical extent over the mean length of the seen thighs, clipped at
    `MAX_BEND_RATIO` and scaled to [0, 1]. Standing, about 0.5; bending at the waist
    it falls, whether the bend is seen from the side (the torso tilts) or from the
    front (the torso foreshortens while its direction still points up).

    Args:
        image: (t, 33, >=2) image pixels.
        seen: (t, B) bool, from `bone_directions`.
    """
    spans = np.einsum("bj,tjc->tbc", _SPANS, np.asarray(image, np.float32)[..., :2])
    torso = np.abs(spans[:, TORSO, 1])
    thigh_seen = seen[:, list(THIGHS)]
    thigh = (np.linalg.norm(spans[:, list(THIGHS)], axis=-1) * thigh_seen).sum(-1)
    n = thigh_seen.sum(-1)
    ok = seen[:, TORSO] & (n > 0)
    ratio = np.where(ok, torso / np.maximum(thigh / np.maximum(n, 1), 1e-6), 0.0)
    return (np.minimum(ratio, MAX_BEND_RATIO) / MAX_BEND_RATIO).astype(np.float32)


def flatten_features(flat: np.ndarray, world: np.ndarray, seen: np.ndarray, present: np.ndarray,
                     bend: np.ndarray | None = None) -> np.ndarray:
    """Bone directions -> the feature vectors.

    Args:
        flat: (t, B, 2); world: (t, B, 3); seen: (t, B) bool; present: (t,);
        bend: (t,) `bend_cue` (None: zeros, as unseen).

    Returns:
        float32 (t, FEATURE_DIM).
    """
    t = len(flat)
    mask = seen[..., None].astype(np.float32)
    bend = np.zeros(t, np.float32) if bend is None else np.asarray(bend, np.float32)
    out = np.concatenate([(flat * mask).reshape(t, -1), (world * mask).reshape(t, -1), bend[:, None],
                          np.asarray(present, np.float32)[:, None]], axis=1)
    return out.astype(np.float32)


def track_features(track) -> np.ndarray:
    """A `model.pose.track.PoseTrack` as features, (t, FEATURE_DIM)."""
    flat, world, seen = bone_directions(track.image, track.world, track.visibility, track.present)
    return flatten_features(flat, world, seen, track.present, bend_cue(track.image, seen))


def pose_features(pose) -> np.ndarray:
    """One frame's features, (FEATURE_DIM,); zeros with presence 0 for None (nobody in view)."""
    if pose is None:
        return np.zeros(FEATURE_DIM, np.float32)
    present = np.ones(1, bool)
    flat, world, seen = bone_directions(pose.image[None], pose.world[None], pose.visibility[None], present)
    return flatten_features(flat, world, seen, present, bend_cue(pose.image[None], seen))[0]


def _body_columns() -> np.ndarray:
    body = [b for b in range(NUM_BONES) if b not in HANDS]
    return np.array([2 * b + k for b in body for k in range(2)]
                    + [NUM_BONES * 2 + 3 * b + k for b in body for k in range(3)])


# Columns of the body's bone directions (picture and world), hands, cue and presence left out:
# what repetitions are counted on (a hand's landmarks jitter more than the limbs move).
BODY_COLUMNS = _body_columns()


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
