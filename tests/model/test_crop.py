"""MotionCrop: a square crop that finds and follows the moving region, causally."""

from __future__ import annotations

import numpy as np

from model.config import ModelConfig
from model.crop import MotionCrop
from model.preprocess import FramePreprocessor

H, W = 120, 200


def frame_with_square(x: int, y: int, side: int = 16) -> np.ndarray:
    frame = np.full((H, W), 50, np.uint8)
    frame[y : y + side, x : x + side] = 230
    return frame


def test_still_video_gives_the_centred_square():
    crop = MotionCrop()
    out = [crop(np.full((H, W, 3), 80, np.uint8)) for _ in range(5)]
    assert all(o.shape == (H, H, 3) for o in out)


def test_the_crop_closes_in_on_a_small_moving_object_and_keeps_it_inside():
    crop = MotionCrop()
    for i in range(120):
        # A square swinging left and right around x = 150, y = 80: far from the frame centre.
        x = 145 + int(8 * np.sin(i / 3.0))
        out = crop(frame_with_square(x, 70))
    side = out.shape[0]
    assert out.shape[0] == out.shape[1]
    assert side < 0.75 * H  # zoomed in from the full 120 px square
    assert (out > 200).sum() >= 16 * 16 * 0.8  # the square is (almost) wholly inside


def test_reset_forgets_the_region_and_two_runs_agree():
    frames = [frame_with_square(20 + 2 * i, 30) for i in range(40)]
    crop = MotionCrop()
    first = [crop(f) for f in frames]
    crop.reset()
    second = [crop(f) for f in frames]
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_preprocessor_with_crop_gives_the_model_shape_and_differs_from_no_crop():
    config = ModelConfig(labels=("a", "b"), size=32, crop="motion")
    cropped, plain = FramePreprocessor(config), FramePreprocessor(config.replace(crop=""))
    for i in range(60):
        frame = frame_with_square(150 + (i % 6), 70)
        a, b = cropped(frame), plain(frame)
    assert a.shape == b.shape == (32, 32, 1) and a.dtype == np.float32
    # The object fills far more of the cropped frame than of the whole one.
    assert (a > 0.8).sum() > 2 * (b > 0.8).sum()
