"""Stage 4: following one person from frame to frame.

The previous frame's landmarks place the next crop; the detector runs only
when there is no previous pose or the landmark model says the crop no longer
holds a person. All state that carries between frames is the last `Region`.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from model.lite.interpreter import TFLiteModel
from model.pose.detector import BODY_SIZE_KEYPOINT, HIP_CENTRE_KEYPOINT, PoseDetector
from model.pose.landmarks import MIN_PRESENCE, LandmarkModel, Pose
from model.pose.region import Region, region_from_points


class PoseTracker:
    """Image in, the person's `Pose` (or None) out, tracking between calls.

    Args:
        detector: a `PoseDetector`.
        landmarks: a `LandmarkModel`.
    """

    def __init__(self, detector: PoseDetector, landmarks: LandmarkModel):
        self.detector = detector
        self.landmarks = landmarks
        self._region: Region | None = None
        self.detector_calls = 0
        self.landmark_calls = 0

    @classmethod
    def from_files(cls, paths: dict[str, Path], threads: int = 2) -> PoseTracker:
        """Builds a tracker from {"detector": path, "landmarker": path} (`model.pose.fetch`)."""
        return cls(PoseDetector(TFLiteModel(paths["detector"], threads)),
                   LandmarkModel(TFLiteModel(paths["landmarker"], threads)))

    @property
    def runtime_name(self) -> str:
        return self.landmarks.model.runtime_name

    def reset(self) -> None:
        """Forgets the person (a seek, a new source): the next frame runs the detector."""
        self._region = None

    def __call__(self, image: np.ndarray, *, bgr: bool = True) -> Pose | None:
        """Finds the person in one frame.

        Args:
            image: uint8 (h, w, 3) BGR as OpenCV decodes it (or RGB with bgr=False);
                gray (h, w) or (h, w, 1) is turned to three channels.
            bgr: whether `image` is BGR.

        Returns:
            The `Pose`, or None when nobody is in view.
        """
        rgb = to_rgb(image, bgr)
        for _ in range(2):
            detected = self._region is None
            if detected:
                self.detector_calls += 1
                det = self.detector(rgb)
                if det is None:
                    return None
                self._region = region_from_points(det.keypoints[HIP_CENTRE_KEYPOINT],
                                                  det.keypoints[BODY_SIZE_KEYPOINT])
            self.landmark_calls += 1
            pose = self.landmarks(rgb, self._region)
            if pose.presence >= MIN_PRESENCE:
                self._region = region_from_points(pose.hip_centre, pose.body_top)
                return pose
            self._region = None
            if detected:
                return None
            # Lost while tracking: one fresh detection on this same frame.
        return None

def to_rgb(image: np.ndarray, bgr: bool = True) -> np.ndarray:
    """uint8 (h, w, 3) RGB from a BGR, BGRA, RGB or gray frame."""
    if image.ndim == 2 or image.shape[-1] == 1:
        return cv2.cvtColor(image.reshape(image.shape[:2]), cv2.COLOR_GRAY2RGB)
    if image.shape[-1] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB if bgr else cv2.COLOR_RGBA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if bgr else image
