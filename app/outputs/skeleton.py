"""Draws the person's skeleton and box on a frame (OpenCV), for `run --out` and the window's snapshot."""

from __future__ import annotations

import cv2
import numpy as np

from model.pose.skeleton import BONES

_BONE = (80, 230, 80)
_JOINT = (255, 255, 255)
_BOX = (230, 160, 60)
# A landmark the model itself doubts is not drawn: a bone to a guessed knee misleads.
MIN_VISIBILITY = 0.5


def draw_skeleton(img: np.ndarray, pose, scale: float = 1.0, box: bool = True) -> None:
    """Draws `pose` onto `img` in place.

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
    thick = max(2, int(round(2 * scale)))
    for a, b in BONES:
        if seen[a] and seen[b]:
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), _BONE, thick, cv2.LINE_AA)
    for k in np.flatnonzero(seen):
        cv2.circle(img, tuple(pts[k]), thick + 1, _JOINT, -1, cv2.LINE_AA)
    if box:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in pose.box())
        cv2.rectangle(img, (x0, y0), (x1, y1), _BOX, max(1, thick // 2))
