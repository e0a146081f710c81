"""Draws the person's skeleton and box on a frame (OpenCV), for `run --out` and the window's snapshot.

`BODY_BONES` and `FACE_POINTS` are also what the window draws, so both show one figure:
the body as bones, the face as points only (BlazePose's eye and ear points joined by
lines read as a zigzag across the face, not as a head).
"""

from __future__ import annotations

import cv2
import numpy as np

from model.pose.skeleton import BONES, LEFT_EAR, LEFT_EYE, NOSE, RIGHT_EAR, RIGHT_EYE

_BONE = (80, 230, 80)
_JOINT = (255, 255, 255)
_BOX = (230, 160, 60)
# A landmark the model itself doubts is not drawn: a bone to a guessed knee misleads.
MIN_VISIBILITY = 0.5
FACE_POINTS = (NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR)
# The bones drawn: torso, arms and legs; no edge touches the face.
BODY_BONES = tuple((a, b) for a, b in BONES if a not in FACE_POINTS and b not in FACE_POINTS)
# Joints drawn as dots: the ends of the bones, and the face's points (not the fingers and toes).
DRAWN_POINTS = tuple(sorted({k for bone in BODY_BONES for k in bone} | set(FACE_POINTS)))


def draw_skeleton(img: np.ndarray, pose, scale: float = 1.0, box: bool = True) -> None:
    """Draws `pose` onto `img` in place.

    Drawing stops at the edges of `img`: pass the picture's own view when it sits inside
    a larger canvas, so no bone reaches past the picture.

    Args:
        img: uint8 BGR (H, W, 3), possibly `scale` times the size the pose was found in.
        pose: a `model.pose.landmarks.Pose` (image pixels of the original frame), or None.
        scale: output pixels per original pixel.
        box: also draw the person's box.
    """
    if pose is None:
        return
    pts = np.round(pose.image[:, :2] * scale).astype(int)
    seen = pose.visibility >= MIN_VISIBILITY
    # As thick on a 1080p picture as on a 480 px one, relative to the picture.
    thick = max(2, int(round(2 * max(scale, img.shape[0] / 480))))
    for a, b in BODY_BONES:
        if seen[a] and seen[b]:
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), _BONE, thick, cv2.LINE_AA)
    for k in (k for k in DRAWN_POINTS if seen[k]):
        cv2.circle(img, tuple(pts[k]), thick + 1, _JOINT, -1, cv2.LINE_AA)
    if box:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in pose.box())
        cv2.rectangle(img, (x0, y0), (x1, y1), _BOX, max(1, thick // 2))
