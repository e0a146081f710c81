"""Whether two poses, or a detection and a pose, are one person.

Box overlap cannot tell: a dancer passing in front of someone further back
covers most of their box, and "the smaller box lies inside the larger" called
them one person, so the one behind (or in front) was dropped and then found
again under a new id, or their crop slid onto the other person. Two crops on one
person give the same landmarks; two people, however much they overlap, put
their hips and shoulders in different places or at different sizes.

Measured on prithvi_test_dance (four dancers, one passing in front of another):
two crops on one person are 0.03 body sizes apart and two overlapping people
0.38 to 0.73; a detection of a followed person is within 0.17 of their pose
(hip centre and body-size point) and 0.8x to 1.3x their size.
"""

from __future__ import annotations

import numpy as np

from model.pose.detector import BODY_SIZE_KEYPOINT, HIP_CENTRE_KEYPOINT

# Mean landmark distance, in body sizes, under which two poses are one person.
SAME_POSE_DISTANCE = 0.2
# A detection is a followed person when its hip centre and body-size point are within
# this many body sizes of theirs...
SAME_DETECTION_DISTANCE = 0.2
# ...and its body is at most this much larger or smaller.
SAME_DETECTION_SCALE = 1.35
# Landmarks seen with at least this visibility in both poses are compared.
MIN_VISIBILITY = 0.5


def body_size(hip_centre, body_top) -> float:
    """Distance from the hip centre to the body-size point, pixels (at least 1)."""
    return max(float(np.linalg.norm(np.asarray(body_top) - np.asarray(hip_centre))), 1.0)


def landmark_distance(a, b) -> float:
    """Mean picture distance, pixels, of the landmarks both `Pose`s see (all 33 if under 3)."""
    seen = (a.visibility >= MIN_VISIBILITY) & (b.visibility >= MIN_VISIBILITY)
    if seen.sum() < 3:
        seen = np.ones_like(seen)
    return float(np.linalg.norm(a.image[seen, :2] - b.image[seen, :2], axis=1).mean())


def pose_distance(a, b) -> float:
    """`landmark_distance` of two `Pose`s in the larger body size."""
    size = max(body_size(a.hip_centre, a.body_top), body_size(b.hip_centre, b.body_top))
    return landmark_distance(a, b) / size


def same_pose(a, b) -> bool:
    """True when two `Pose`s of one frame are one person (two crops that drifted onto them)."""
    return pose_distance(a, b) < SAME_POSE_DISTANCE


def same_detection(det, pose) -> bool:
    """True when a `Detection` is the person of `pose`: the same hip centre, body-size point and size."""
    hip, top = det.keypoints[HIP_CENTRE_KEYPOINT], det.keypoints[BODY_SIZE_KEYPOINT]
    size = body_size(pose.hip_centre, pose.body_top)
    apart = (np.linalg.norm(hip - pose.hip_centre) + np.linalg.norm(top - pose.body_top)) / (2.0 * size)
    scale = body_size(hip, top) / size
    return bool(apart < SAME_DETECTION_DISTANCE and 1.0 / SAME_DETECTION_SCALE < scale < SAME_DETECTION_SCALE)
