"""The pose stages' arithmetic, without the models: anchors, decoding, regions, features, mirroring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.config import POSE_FEATURE_DIM
from model.pose.detector import INPUT_SIZE, decode_boxes, letterbox, ssd_anchors
from model.pose.features import (
    BEND_INDEX,
    BONE_MIRROR,
    BONES,
    FEATURE_DIM,
    HANDS,
    LEFT_FOREARM,
    PRESENCE_INDEX,
    RIGHT_FOREARM,
    TORSO,
    bend_cue,
    bone_directions,
    flatten_features,
    mirror_features,
)
from model.pose.region import ROI_SCALE, Region, region_from_points
from model.pose.skeleton import (
    LEFT_ANKLE,
    LEFT_ELBOW,
    LEFT_HIP,
    LEFT_INDEX,
    LEFT_KNEE,
    LEFT_PINKY,
    LEFT_SHOULDER,
    LEFT_WRIST,
    MIRROR,
    NUM_LANDMARKS,
    RIGHT_ANKLE,
    RIGHT_ELBOW,
    RIGHT_HIP,
    RIGHT_INDEX,
    RIGHT_KNEE,
    RIGHT_PINKY,
    RIGHT_SHOULDER,
    RIGHT_WRIST,
)


def test_anchors_match_the_detector_output():
    anchors = ssd_anchors()
    assert anchors.shape == (2254, 2)  # 28*28*2 + 14*14*2 + 7*7*6
    assert anchors.min() > 0 and anchors.max() < 1
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(anchors[-1], [6.5 / 7, 6.5 / 7])


def test_decode_boxes_adds_anchor_and_scales():
    raw = np.zeros((1, 12), np.float32)
    raw[0, 2:4] = (44.8, 22.4)  # 0.2 and 0.1 of the input
    raw[0, 4:6] = (22.4, 0)
    out = decode_boxes(raw, np.array([[0.5, 0.5]], np.float32))[0]
    np.testing.assert_allclose(out[:4], [0.4, 0.45, 0.6, 0.55], atol=1e-6)
    np.testing.assert_allclose(out[4:6], [0.6, 0.5], atol=1e-6)


def test_letterbox_keeps_the_aspect_ratio():
    img = np.full((100, 200, 3), 255, np.uint8)
    square, scale, pad_x, pad_y = letterbox(img, INPUT_SIZE)
    assert square.shape == (INPUT_SIZE, INPUT_SIZE, 3)
    assert scale == pytest.approx(INPUT_SIZE / 200) and pad_x == 0 and pad_y == 56
    assert square[0].max() == 0 and square[INPUT_SIZE // 2].min() == 255


def test_region_points_up_and_maps_back():
    upright = region_from_points(np.array([100.0, 200.0]), np.array([100.0, 120.0]))
    assert upright.angle == pytest.approx(0.0)
    assert upright.size == pytest.approx(2 * 80 * ROI_SCALE)
    # Lying to the right (head at +x): the crop turns it upright.
    lying = region_from_points(np.array([100.0, 200.0]), np.array([180.0, 200.0]))
    assert abs(lying.angle) == pytest.approx(math.pi / 2)
    # The crop's top centre is where the head is.
    top = lying.to_image(np.array([[128.0, 128.0 - 128 / ROI_SCALE]]), 256)[0]
    np.testing.assert_allclose(top, [180.0, 200.0], atol=1e-6)
    centre = Region(50, 60, 40, 0.3).to_image(np.array([[128.0, 128.0]]), 256)[0]
    np.testing.assert_allclose(centre, [50, 60], atol=1e-9)


def test_mirror_tables_swap_left_and_right():
    assert len(MIRROR) == NUM_LANDMARKS and MIRROR[LEFT_WRIST] == RIGHT_WRIST
    assert all(MIRROR[MIRROR[k]] == k for k in range(NUM_LANDMARKS))
    for k, (start, end) in enumerate(BONES):
        mirrored = BONES[BONE_MIRROR[k]]
        assert tuple(sorted(MIRROR[j] for j in start)) == tuple(sorted(mirrored[0]))
        assert tuple(sorted(MIRROR[j] for j in end)) == tuple(sorted(mirrored[1]))
    assert FEATURE_DIM == POSE_FEATURE_DIM


def _body(t: int = 2, scale: float = 1.0, shift=(0.0, 0.0)):
    """A standing body with its left arm raised sideways, as landmark arrays."""
    image = np.zeros((t, NUM_LANDMARKS, 3), np.float32)
    joints = {LEFT_HIP: (110, 200), RIGHT_HIP: (90, 200), LEFT_SHOULDER: (115, 120), RIGHT_SHOULDER: (85, 120),
              LEFT_ELBOW: (150, 120), LEFT_WRIST: (185, 120), RIGHT_ELBOW: (85, 160), RIGHT_WRIST: (85, 195),
              LEFT_KNEE: (110, 250), LEFT_ANKLE: (110, 300), RIGHT_KNEE: (90, 250), RIGHT_ANKLE: (90, 300),
              LEFT_INDEX: (198, 116), LEFT_PINKY: (196, 124), RIGHT_INDEX: (83, 207), RIGHT_PINKY: (87, 207)}
    for j, (x, y) in joints.items():
        image[:, j, :2] = (x * scale + shift[0], y * scale + shift[1])
    world = image.copy() / 100.0
    return image, world, np.ones((t, NUM_LANDMARKS), np.float32), np.ones(t, bool)


def test_bone_directions_ignore_size_and_place():
    a = flatten_features(*bone_directions(*_body()), np.ones(2))
    b = flatten_features(*bone_directions(*_body(scale=0.4, shift=(300, 17))), np.ones(2))
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert a.shape == (2, FEATURE_DIM) and a[0, PRESENCE_INDEX] == 1
    flat = a[0, : 2 * len(BONES)].reshape(-1, 2)
    np.testing.assert_allclose(flat[TORSO], [0, -1], atol=1e-6)  # the torso points up the picture
    np.testing.assert_allclose(flat[LEFT_FOREARM], [1, 0], atol=1e-6)  # raised sideways
    np.testing.assert_allclose(flat[RIGHT_FOREARM], [0, 1], atol=1e-6)  # hanging down
    np.testing.assert_allclose(flat[HANDS[0]], [1, 0], atol=1e-6)  # the raised hand points out
    np.testing.assert_allclose(flat[HANDS[1]], [0, 1], atol=1e-6)  # the hanging one down


def test_the_bend_cue_falls_when_bending_seen_from_the_side_or_the_front():
    image, world, vis, present = _body(t=4)
    # Step 1: bent at the waist seen from the side (shoulders forward, level with the hips' height
    # less a little); step 2: a bow seen from the front (the torso only shorter, still pointing up).
    for j in (LEFT_SHOULDER, RIGHT_SHOULDER):
        image[1, j, :2] = (image[1, j, 0] + 75, 180)
        image[2, j, 1] = 175
    vis[3, LEFT_KNEE] = vis[3, RIGHT_KNEE] = 0.1  # step 3: the thighs unseen (a waist-up picture)
    x = flatten_features(*bone_directions(image, world, vis, present), present,
                         bend_cue(image, bone_directions(image, world, vis, present)[2]))
    standing, side, front, unseen = x[:, BEND_INDEX]
    assert 0.7 < standing <= 1.0 and side < 0.3 and front < 0.3 and unseen == 0
    flat = x[:, : 2 * len(BONES)].reshape(4, -1, 2)
    assert flat[2, TORSO, 1] < -0.99  # from the front the torso's direction alone shows no bend
    np.testing.assert_allclose(mirror_features(x)[:, BEND_INDEX], x[:, BEND_INDEX])


def test_unseen_bones_are_zeros_and_mirroring_swaps_arms():
    image, world, vis, present = _body()
    vis[1, LEFT_WRIST] = 0.1
    x = flatten_features(*bone_directions(image, world, vis, present), present)
    assert np.all(x[1, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] == 0)
    assert np.any(x[0, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] != 0)
    m = mirror_features(x)
    np.testing.assert_allclose(m[0, 2 * RIGHT_FOREARM : 2 * RIGHT_FOREARM + 2], [-1, 0], atol=1e-6)
    np.testing.assert_allclose(mirror_features(m), x, atol=1e-6)


class _FakeLandmarkModel:
    """Returns fixed outputs shaped like pose_landmark_full's."""

    def __init__(self, flag: float):
        self.flag = flag

    def __call__(self, x):
        raw = np.zeros((1, 195), np.float32)
        return [raw, np.full((1, 1), self.flag, np.float32), np.zeros((1, 256, 256, 1), np.float32),
                np.zeros((1, 64, 64, 39), np.float32), np.zeros((1, 117), np.float32)]


@pytest.mark.parametrize("flag", [0.0, 0.3, 0.97])
def test_pose_flag_is_read_as_the_probability_it_is(flag):
    # The model ends in a sigmoid: applying another would put every crop, empty or not, above 0.5.
    from model.pose.landmarks import MIN_PRESENCE, LandmarkModel

    pose = LandmarkModel(_FakeLandmarkModel(flag))(np.zeros((120, 160, 3), np.uint8), Region(80, 60, 100, 0.0))
    assert pose.presence == pytest.approx(flag)
    assert (pose.presence >= MIN_PRESENCE) == (flag >= 0.5)
