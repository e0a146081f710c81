"""The one frame-preprocessing function, shared by training and the live app.

Training and inference must see identical pixels, so both call `preprocess_frame`,
through a `FramePreprocessor` when the model crops to the moving region (the crop
follows motion, so it needs the frames before).
"""

from __future__ import annotations

import cv2
import numpy as np

from model.config import ModelConfig
from model.crop import MotionCrop


def preprocess_frame(frame: np.ndarray, config: ModelConfig) -> np.ndarray:
    """Turns one decoded frame into model input.

    Args:
        frame: uint8 image as OpenCV decodes it: gray (h, w) or (h, w, 1),
            BGR (h, w, 3) or BGRA (h, w, 4), of any size.
        config: gives the output size and colour mode.

    Returns:
        float32 array of shape (size, size, c) in [0, 1], where c is 1 for
        `color="gray"` and 3 (RGB order) for `color="rgb"`.
    """
    frame = _checked_uint8(frame, "frame")
    if config.color == "gray":
        if frame.ndim == 3:
            code = cv2.COLOR_BGRA2GRAY if frame.shape[2] == 4 else cv2.COLOR_BGR2GRAY
            frame = cv2.cvtColor(frame, code)
    else:
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
        elif frame.shape[2] == 4:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
        else:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    # INTER_AREA averages when shrinking, so a 4K frame and a 64 px clip alias alike.
    frame = cv2.resize(frame, (config.size, config.size), interpolation=cv2.INTER_AREA)
    out = frame.astype(np.float32) * (1.0 / 255.0)
    if out.ndim == 2:
        out = out[:, :, None]
    return out


class FramePreprocessor:
    """`preprocess_frame` for one stream of frames, with the config's crop.

    One instance per clip (training) or per source (live), fed every frame in order
    at the source's own rate; `reset` at a seek or a new clip.

    Args:
        config: gives the crop, output size and colour mode.

    Call arguments:
        frame: a decoded frame, as `preprocess_frame` takes it.

    Returns:
        float32 (size, size, c) in [0, 1].
    """

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self._crop = MotionCrop() if config.crop == "motion" else None

    def reset(self) -> None:
        if self._crop is not None:
            self._crop.reset()

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        if self._crop is not None:
            frame = self._crop(_checked_uint8(frame, "frame"))
        return preprocess_frame(frame, self.config)


def preprocess_frames(frames, config: ModelConfig) -> np.ndarray:
    """Preprocesses a sequence of frames.

    Args:
        frames: iterable of uint8 frames, each as `preprocess_frame` accepts.
        config: gives the output size and colour mode.

    Returns:
        float32 array of shape (time, size, size, c).
    """
    out = [preprocess_frame(f, config) for f in frames]
    if not out:
        return np.zeros((0, *config.frame_shape), np.float32)
    return np.stack(out)


def motion_pair(frame: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """The motion-pair encoder input for one frame (see `model.nets.layers.MotionPairs`).

    Args:
        frame: preprocessed frame (h, w, c).
        previous: the preprocessed frame one model step (1/fps) earlier, (h, w, c).

    Returns:
        float32 (h, w, 2c): the frame, then its change from `previous`.
    """
    return np.concatenate([frame, frame - previous], axis=-1)


def to_display(frame: np.ndarray) -> np.ndarray:
    """Turns a model-space frame back into a uint8 BGR image for drawing.

    Args:
        frame: float (h, w, c) in [0, 1], c in (1, 3) with RGB order for c=3.

    Returns:
        uint8 array of shape (h, w, 3), BGR.
    """
    frame = np.asarray(frame, np.float32)
    if frame.ndim == 3 and frame.shape[2] == 3:
        frame = frame[:, :, ::-1]  # the model's RGB order to OpenCV's BGR
    return as_bgr(frame, "frame")


def as_bgr(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Any decoded or model image as the uint8 BGR (h, w, 3) that drawing and encoding take.

    The one conversion for overlays, recordings and previews, so a float frame
    is scaled from [0, 1] everywhere (never clipped to black) and 16-bit frames
    keep their range.

    Args:
        image: gray (h, w) or (h, w, 1), BGR (h, w, 3) or BGRA (h, w, 4); uint8,
            uint16, or float in [0, 1].
        name: the argument's name for the error message.

    Returns:
        uint8 (h, w, 3) BGR. A uint8 BGR input is returned as is, not copied.

    Raises:
        ValueError: `image` is not an image of those shapes.
    """
    img = _checked_uint8(image, name)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return img


def _checked_uint8(image: np.ndarray, name: str) -> np.ndarray:
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
        raise ValueError(
            f"`{name}` must be a gray (h, w), BGR (h, w, 3) or BGRA (h, w, 4) image. "
            f"Received: {name}.shape={tuple(img.shape)}"
        )
    if img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"`{name}` is empty. Received: {name}.shape={tuple(img.shape)}")
    return img if img.dtype == np.uint8 else to_uint8(img)


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """Scales a frame of any dtype to uint8, keeping its shape.

    Args:
        frame: (h, w) or (h, w, c); float in [0, 1], uint16, or any integer type.

    Returns:
        uint8 array of the same shape.
    """
    # 16-bit cameras and float images arrive too; scale by their real range, not by guess.
    if np.issubdtype(frame.dtype, np.floating):
        return np.clip(frame * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if frame.dtype == np.uint16:
        return (frame >> 8).astype(np.uint8)
    return np.clip(frame, 0, 255).astype(np.uint8)
