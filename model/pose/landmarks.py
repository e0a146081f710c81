"""Stage 3: the BlazePose landmark model, an upright crop -> the body's landmarks.

The model sees a 256x256 crop in [0, 1] and returns 39 landmarks (33 body points
and 2 that place the next crop, plus 4 unused) as x, y, z, visibility and
presence in crop pixels, a pose-presence probability, and 39 world landmarks in metres
centred on the hips. Constants are those of mediapipe's pose_landmark_cpu.pbtxt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.pose.region import Region
from model.pose.skeleton import AUX_BODY_TOP, AUX_HIP_CENTRE, NUM_LANDMARKS, NUM_MODEL_LANDMARKS

CROP_SIZE = 256
# Below this the crop holds no person, and tracking hands back to the detector.
MIN_PRESENCE = 0.5
_VALUES_PER_LANDMARK = 5


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -80, 80)))


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    Attributes:
        presence: the model's confidence that the crop holds a person, [0, 1].
        image: (33, 3) x, y in image pixels and z (relative depth, same scale as x).
        visibility: (33,) in [0, 1]: how sure the model is that each point is visible.
        world: (33, 3) metres, centred between the hips (x right, y down, z away).
        hip_centre: (2,) image pixels; with `body_top` it places the next crop.
        body_top: (2,) image pixels.
        frame_size: (width, height) of the frame it was found in.
    """

    presence: float
    image: np.ndarray
    visibility: np.ndarray
    world: np.ndarray
    hip_centre: np.ndarray
    body_top: np.ndarray
    frame_size: tuple[int, int] = (0, 0)

    def box(self, margin: float = 0.1) -> tuple[float, float, float, float]:
        """The person's box (x0, y0, x1, y1) in image pixels, from the visible landmarks, inside the frame."""
        pts = self.image[self.visibility > 0.5, :2]
        if len(pts) < 2:
            pts = self.image[:, :2]
        (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
        mx, my = (x1 - x0) * margin, (y1 - y0) * margin
        w, h = self.frame_size
        x0, y0, x1, y1 = x0 - mx, y0 - my, x1 + mx, y1 + my
        if w and h:
            x0, x1 = np.clip([x0, x1], 0, w)
            y0, y1 = np.clip([y0, y1], 0, h)
        return (float(x0), float(y0), float(x1), float(y1))


class LandmarkModel:
    """Runs the landmark model on one region of a frame.

    Args:
        model: a `TFLiteModel` of pose_landmark_full.tflite.
    """

    def __init__(self, model):
        self.model = model
        self._input = np.zeros((1, CROP_SIZE, CROP_SIZE, 3), np.float32)

    def __call__(self, rgb: np.ndarray, region: Region) -> Pose:
        """Finds the landmarks inside `region`.

        Args:
            rgb: uint8 (h, w, 3), RGB.
            region: where the person is, as `model.pose.region` places it.

        Returns:
            The `Pose` in image pixels; check `presence` before trusting it.
        """
        crop = region.crop(rgb, CROP_SIZE)
        np.multiply(crop, 1.0 / 255.0, out=self._input[0], casting="unsafe")
        outputs = self.model(self._input)
        by_size = {o.size: o for o in outputs}
        raw = by_size[NUM_MODEL_LANDMARKS * _VALUES_PER_LANDMARK].reshape(NUM_MODEL_LANDMARKS, 5)
        # The flag is already a probability (the model ends in a sigmoid); the landmarks'
        # visibility and presence below are logits.
        presence = float(np.clip(by_size[1].reshape(()), 0.0, 1.0))
        world = by_size[NUM_MODEL_LANDMARKS * 3].reshape(NUM_MODEL_LANDMARKS, 3)[:NUM_LANDMARKS]
        xy = region.to_image(raw[:, :2].astype(np.float64), CROP_SIZE)
        # z is in crop pixels like x; scaled alike so it keeps x's units in the image.
        z = raw[:, 2:3] * (region.size / CROP_SIZE)
        image = np.concatenate([xy, z], -1).astype(np.float32)
        visibility = _sigmoid(raw[:, 3]) * _sigmoid(raw[:, 4])
        return Pose(
            presence=presence,
            image=image[:NUM_LANDMARKS],
            visibility=visibility[:NUM_LANDMARKS].astype(np.float32),
            world=world.astype(np.float32),
            hip_centre=image[AUX_HIP_CENTRE, :2].copy(),
            body_top=image[AUX_BODY_TOP, :2].copy(),
            frame_size=(rgb.shape[1], rgb.shape[0]),
        )
