"""Training augmentations for one window (T, h, w, c), in numpy.

Every random choice is made once per window and applied to all its frames,
so augmentation changes how a clip looks, never how it moves. All randomness
comes from the `rng` argument: the same rng state gives the same output.

- speed jitter: the window is cut at a random temporal step (`windows.py`);
- horizontal flip: only for labels in `ModelConfig.symmetric_labels`, since
  a mirrored "wave with the right hand" may be a different class;
- crop and scale: a square crop of side U(min_crop, 1) x the frame side, at a
  random position, resized back to (h, w);
- brightness and contrast: x' = (x - mean) * c + mean + b, with the window's
  mean, c ~ U(1 - contrast, 1 + contrast) and b ~ U(-brightness, brightness)
  on the [0, 1] scale;
- gamma: x' = x ** g on the [0, 1] scale, log g ~ U(-gamma, gamma), so a dark
  room and a bright one look alike to the model and darkness cannot stand in
  for a class (the "other" clips of ARID are all dark);
- resolution: each frame shrunk to a side of U(min_resolution, 1) x its own and
  enlarged back, so a person filmed small by a low-resolution camera (Weizmann's
  64 px clips, enlarged by the crop) and one filmed sharp look alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from model.config import ModelConfig
from model.data.windows import random_window


@dataclass(frozen=True)
class AugmentParams:
    """How strongly to augment; each default is mild enough to keep the action readable.

    Attributes:
        flip_prob: chance of a mirror image, for symmetric labels only.
        min_crop: smallest crop side as a fraction of the frame side (1.0 disables cropping).
        brightness: largest brightness shift on the [0, 1] scale.
        contrast: largest relative contrast change.
        speed_range: (low, high) temporal step, or None for no speed jitter.
        gamma: largest |log| of the gamma applied (0 disables it).
        min_resolution: smallest side, as a fraction of the frame's, that a window is shrunk
            to and enlarged back from (1.0 disables it).
    """

    flip_prob: float = 0.5
    # 0.8 keeps a whole person in a 64 px frame where the clips frame them loosely.
    min_crop: float = 0.8
    brightness: float = 0.1
    contrast: float = 0.2
    speed_range: tuple[float, float] | None = (0.8, 1.25)
    # ln 2: from half to twice the exposure curve, the spread between the dark and the lit sources.
    gamma: float = 0.7
    # Off, as the shipped model was trained; 0.5 (a crop of a 64 px source is enlarged up to 1.4
    # times, a quarter-VGA camera's person half as sharp as a VGA one's) was tried with normal
    # flow and did not help on held-out sources (docs/default_model_notes.md).
    min_resolution: float = 1.0


NO_AUGMENT = AugmentParams(
    flip_prob=0.0, min_crop=1.0, brightness=0.0, contrast=0.0, speed_range=None, gamma=0.0,
    min_resolution=1.0,
)


def augment_window(
    window: np.ndarray,
    rng: np.random.Generator,
    *,
    symmetric: bool,
    params: AugmentParams = AugmentParams(),
) -> np.ndarray:
    """Flips, crops and recolours one window, the same way for all its frames.

    Args:
        window: frames (T, h, w, c), uint8 in [0, 255] or float in [0, 1].
        rng: the source of randomness.
        symmetric: whether the window's label may be mirrored.
        params: augmentation strengths.

    Returns:
        array of the same shape and dtype as `window`.
    """
    if window.ndim != 4:
        raise ValueError(
            f"`window` must have shape (time, h, w, c). Received: window.shape={tuple(window.shape)}"
        )
    dtype = window.dtype
    scale = 255.0 if dtype == np.uint8 else 1.0
    x = window
    if symmetric and rng.random() < params.flip_prob:
        x = x[:, :, ::-1]
    if params.min_crop < 1.0:
        x = _random_crop(x, rng, params.min_crop)
    if params.min_resolution < 1.0:
        x = _random_blur(x, rng, params.min_resolution)
    if params.brightness > 0 or params.contrast > 0:
        c = rng.uniform(1.0 - params.contrast, 1.0 + params.contrast)
        b = rng.uniform(-params.brightness, params.brightness) * scale
        xf = x.astype(np.float32)
        mean = float(xf.mean())
        x = np.clip((xf - mean) * c + mean + b, 0.0, scale)
    if params.gamma > 0:
        g = float(np.exp(rng.uniform(-params.gamma, params.gamma)))
        x = scale * np.power(np.asarray(x, np.float32) / scale, g)
    if dtype == np.uint8 and x.dtype != np.uint8:
        x = np.rint(x)
    return np.ascontiguousarray(x.astype(dtype, copy=False))


def random_train_window(
    clip: np.ndarray,
    label: str,
    config: ModelConfig,
    rng: np.random.Generator,
    params: AugmentParams = AugmentParams(),
) -> np.ndarray:
    """Cuts a random window of `config.frames` from a clip and augments it.

    Args:
        clip: frames (t, h, w, c).
        label: the clip's label, to decide whether flipping is allowed.
        config: gives the window length and the symmetric labels.
        rng: the source of randomness.
        params: augmentation strengths.

    Returns:
        array of shape (config.frames, h, w, c) in the clip's dtype.
    """
    window = random_window(clip, config.frames, rng, params.speed_range)
    return augment_window(window, rng, symmetric=label in config.symmetric_labels, params=params)


def _random_blur(x: np.ndarray, rng: np.random.Generator, min_resolution: float) -> np.ndarray:
    _, h, w, _ = x.shape
    frac = rng.uniform(min_resolution, 1.0)
    sh, sw = max(2, int(round(h * frac))), max(2, int(round(w * frac)))
    if (sh, sw) == (h, w):
        return x
    return _resize_each(_resize_each(x, sw, sh, cv2.INTER_AREA), w, h, cv2.INTER_LINEAR)


def _random_crop(x: np.ndarray, rng: np.random.Generator, min_crop: float) -> np.ndarray:
    _, h, w, _ = x.shape
    frac = rng.uniform(min_crop, 1.0)
    ch, cw = max(1, int(round(h * frac))), max(1, int(round(w * frac)))
    top = int(rng.integers(0, h - ch + 1))
    left = int(rng.integers(0, w - cw + 1))
    if (ch, cw) == (h, w):
        return x
    return _resize_each(x[:, top : top + ch, left : left + cw], w, h, cv2.INTER_LINEAR)


def _resize_each(x: np.ndarray, w: int, h: int, interpolation: int) -> np.ndarray:
    """Resizes every frame of (T, h0, w0, c) to (T, h, w, c), keeping the dtype."""
    out = np.empty((len(x), h, w, x.shape[-1]), x.dtype)
    for t in range(len(x)):
        # cv2.resize drops a single channel axis; reshape puts it back.
        frame = cv2.resize(np.ascontiguousarray(x[t]), (w, h), interpolation=interpolation)
        out[t] = frame.reshape(out.shape[1:])
    return out
