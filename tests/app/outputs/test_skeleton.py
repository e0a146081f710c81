"""The skeleton drawn on recordings and snapshots: inside the picture, the face as points."""

from __future__ import annotations

import numpy as np

from app.outputs.overlay import render_overlay
from app.outputs.skeleton import BODY_BONES, FACE_POINTS, draw_skeleton
from app.results import Result
from model.pose.landmarks import Pose
from model.pose.skeleton import (
    LEFT_EAR,
    LEFT_EYE,
    LEFT_SHOULDER,
    LEFT_WRIST,
    NOSE,
    RIGHT_EAR,
    RIGHT_EYE,
)


def _pose(points: dict[int, tuple[float, float]], size=(320, 240)) -> Pose:
    image = np.zeros((33, 3), np.float32)
    visibility = np.zeros(33, np.float32)
    for k, (x, y) in points.items():
        image[k, :2] = (x, y)
        visibility[k] = 0.9
    return Pose(1.0, image, visibility, np.zeros((33, 3), np.float32), np.zeros(2, np.float32),
                np.zeros(2, np.float32), size)


def test_no_bone_touches_the_face():
    # Eye to ear to nose lines came out as a zigzag across the face.
    assert not any(a in FACE_POINTS or b in FACE_POINTS for a, b in BODY_BONES)
    face = {NOSE: (160, 60), LEFT_EYE: (150, 55), RIGHT_EYE: (170, 55), LEFT_EAR: (140, 58), RIGHT_EAR: (180, 58)}
    img = np.zeros((240, 320, 3), np.uint8)
    draw_skeleton(img, _pose(face), box=False)
    # The points are drawn, and nothing between the far points, where an edge would run.
    assert img[60, 160].any() and img[55, 150].any()
    assert not img[56, 145].any() and not img[56, 175].any()


def test_a_bone_past_the_edge_stays_inside_the_picture():
    # A wrist BlazePose places beyond the right edge: the arm is cut at the picture's edge, not
    # drawn on into the panel beside it.
    pose = _pose({LEFT_SHOULDER: (250, 120), LEFT_WRIST: (400, 120)})
    img = np.full((240, 320, 3), 127, np.uint8)
    labels = ("walk", "idle")
    probs = np.array([0.9, 0.1])
    with_pose = Result(3, 0.1, "walk", 0.9, probs, probs, labels, pose=pose)
    bare = Result(3, 0.1, "walk", 0.9, probs, probs, labels)
    drawn = render_overlay(img, with_pose, skeleton=True)
    plain = render_overlay(img, bare, skeleton=True)
    h, w = 480, 640  # the 320x240 picture, upscaled to 480 px high
    assert np.abs(drawn[:h, :w].astype(int) - plain[:h, :w]).sum() > 0  # the arm up to the edge
    np.testing.assert_array_equal(drawn[:, w:], plain[:, w:])
