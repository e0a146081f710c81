"""One person or two: two crops on one dancer are one, a dancer in front of another is two."""

from __future__ import annotations

import numpy as np

from model.pose.detector import Detection
from model.pose.landmarks import Pose
from model.pose.multi_detect import SAME_PERSON_OVERLAP, overlap
from model.pose.same_person import pose_distance, same_detection, same_pose


def _pose(cx: float, hip_y: float, size: float, jitter: float = 0.0, seed: int = 0) -> Pose:
    """A standing person: landmarks spread over a body `size` px from hips to the body-size point."""
    rng = np.random.default_rng(seed)
    image = np.zeros((33, 3), np.float32)
    image[:, 0] = cx + rng.uniform(-0.3, 0.3, 33) * size + rng.normal(0, jitter, 33)
    image[:, 1] = hip_y + rng.uniform(-1.0, 0.9, 33) * size + rng.normal(0, jitter, 33)
    return Pose(1.0, image, np.ones(33, np.float32), np.zeros((33, 3), np.float32),
                np.array([cx, hip_y], np.float32), np.array([cx, hip_y - size], np.float32), (640, 360))


def _detection_of(pose: Pose, shift: float = 0.0) -> Detection:
    keypoints = np.stack([pose.hip_centre, pose.body_top, pose.hip_centre, pose.body_top]) + shift
    return Detection(0.9, pose.box(), keypoints.astype(np.float32))


def test_two_crops_on_one_person_are_one_person():
    a, b = _pose(300, 200, 150), _pose(300, 200, 150, jitter=3.0, seed=0)
    assert same_pose(a, b) and pose_distance(a, b) < 0.05
    assert same_detection(_detection_of(a, shift=10.0), a)


def test_a_person_behind_a_larger_one_is_someone_else():
    # prithvi_test_dance at 3.5 s: a dancer in front (tall box) covers the one behind, whose
    # box lies mostly inside hers; box overlap called them one and dropped one of the two.
    front, behind = _pose(330, 220, 170, seed=1), _pose(290, 190, 110, seed=2)
    assert overlap(front.box(), behind.box()) > SAME_PERSON_OVERLAP
    assert not same_pose(front, behind) and not same_pose(behind, front)
    assert not same_detection(_detection_of(behind), front)
    assert not same_detection(_detection_of(front), behind)


def test_a_detection_at_the_same_hips_but_a_much_larger_body_is_someone_else():
    near, far = _pose(300, 200, 150), _pose(300, 200, 90)
    assert not same_detection(_detection_of(far), near)
