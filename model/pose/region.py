"""Stage 2: where to crop for the landmark model, from a detection or the last landmarks.

Both ways are the same rule (mediapipe's pose_detection_to_roi.pbtxt and
pose_landmarks_to_roi.pbtxt): a square centred on the hip centre, twice the
distance from it to the body-size point across, grown by `ROI_SCALE`, and turned
so that the line from the hips to that point points straight up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# The crop is 1.25x the body circle: room for arms stretched out overhead.
ROI_SCALE = 1.25
# The line from the hip centre to the body-size point is turned to point up (90 degrees).
TARGET_ANGLE = math.pi / 2


@dataclass(frozen=True)
class Region:
    """A rotated square in image pixels.

    Attributes:
        cx, cy: centre.
        size: side length.
        angle: radians; the crop is the image turned by -angle about the centre,
            so a person leaning by `angle` stands upright in it.
    """

    cx: float
    cy: float
    size: float
    angle: float

    def crop_to_image(self, crop_size: int) -> np.ndarray:
        """The 2x3 affine map from crop pixels (u, v) to image pixels (x, y)."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        k = self.size / crop_size
        # image = centre + R(angle) @ ((u, v) * k - size / 2)
        half = self.size / 2
        tx = self.cx - (c * half - s * half)
        ty = self.cy - (s * half + c * half)
        return np.array([[c * k, -s * k, tx], [s * k, c * k, ty]], np.float64)

    def crop(self, rgb: np.ndarray, crop_size: int) -> np.ndarray:
        """The region as an upright uint8 (crop_size, crop_size, 3) image; outside is black."""
        return cv2.warpAffine(rgb, self.crop_to_image(crop_size), (crop_size, crop_size),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))

    def to_image(self, points: np.ndarray, crop_size: int) -> np.ndarray:
        """Maps (n, 2) crop pixels to (n, 2) image pixels."""
        m = self.crop_to_image(crop_size)
        return points @ m[:, :2].T + m[:, 2]


def region_from_points(hip_centre: np.ndarray, body_top: np.ndarray) -> Region:
    """The landmark crop around a person.

    Args:
        hip_centre: (x, y) image pixels.
        body_top: (x, y) image pixels of the point that sets size and rotation.

    Returns:
        The `Region`, square and turned upright.
    """
    dx, dy = float(body_top[0] - hip_centre[0]), float(body_top[1] - hip_centre[1])
    size = 2.0 * math.hypot(dx, dy) * ROI_SCALE
    angle = TARGET_ANGLE - math.atan2(-dy, dx)
    angle = angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))
    return Region(float(hip_centre[0]), float(hip_centre[1]), max(size, 1.0), angle)
