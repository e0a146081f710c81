"""Training pairs for the next-frame predictor, and a tiny training run."""

from __future__ import annotations

import numpy as np
import pytest

from model.errors import DatasetError
from model.train.predictor import random_pairs, to_gray, train_predictor


def _ramp(n: int, size: int = 16) -> np.ndarray:
    """uint8 (n, size, size, 1): frame i is grey 10 * i, with its left half darker, so a flip shows."""
    clip = np.stack([np.full((size, size, 1), 10 * i + 5, np.uint8) for i in range(n)])
    clip[:, :, : size // 2] -= 5
    return clip


def test_random_pairs_take_the_frame_after_the_context():
    x, y = random_pairs([_ramp(12)], context=4, n=20, rng=np.random.default_rng(0), flip=False)
    assert x.shape == (20, 4, 16, 16, 1) and y.shape == (20, 16, 16, 1)
    assert x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    start = np.rint(x[:, 0, 0, -1, 0] * 255 - 5) / 10
    np.testing.assert_allclose(np.rint(x[:, :, 0, -1, 0] * 255 - 5) / 10, start[:, None] + np.arange(4))
    np.testing.assert_allclose(np.rint(y[:, 0, -1, 0] * 255 - 5) / 10, start + 4)
    assert start.max() <= 12 - 5  # the target is always inside the clip


def test_flipped_pairs_mirror_inputs_and_target_together():
    x, y = random_pairs([_ramp(8)], context=4, n=40, rng=np.random.default_rng(1), flip=True)
    flipped = x[:, 0, 0, 0, 0] > x[:, 0, 0, -1, 0]
    assert 0 < flipped.sum() < 40
    np.testing.assert_array_equal(y[:, 0, 0, 0] > y[:, 0, -1, 0], flipped)


def test_too_short_clips_are_a_dataset_error():
    with pytest.raises(DatasetError, match="longer than its 4 context frames, but the longest has 4"):
        random_pairs([_ramp(4), _ramp(2)], context=4, n=1, rng=np.random.default_rng(0))


def test_to_gray_averages_colour_and_keeps_gray():
    rgb = np.zeros((3, 8, 8, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 30, 60, 91
    gray, same = to_gray([rgb, _ramp(3, 8)])
    assert gray.shape == (3, 8, 8, 1) and gray.dtype == np.uint8
    assert int(gray[0, 0, 0, 0]) == 60  # (30 + 60 + 91) / 3 = 60.33
    assert same.shape == (3, 8, 8, 1)


def test_tiny_predictor_trains_and_predicts_one_frame(tiny_config):
    model, history = train_predictor([_ramp(10), _ramp(7)], tiny_config, epochs=1, steps=2, batch=2,
                                     verbose=0)
    assert np.isfinite(history["loss"]).all()
    out = np.asarray(model.predict_on_batch(np.zeros((1, 4, 16, 16, 1), np.float32)))
    assert out.shape == (1, 16, 16, 1)


def test_train_predictor_checks_its_clips_before_training(tiny_config):
    with pytest.raises(DatasetError, match="longer than its 4 context frames"):
        train_predictor([_ramp(3)], tiny_config, epochs=1, steps=1, batch=1, verbose=0)
    rgb = np.zeros((8, 16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match=r"Hint: `to_gray`.*clips\[0\]\.shape=\(8, 16, 16, 3\)"):
        train_predictor([rgb], tiny_config, epochs=1, steps=1, batch=1, verbose=0)


def test_log_mse_loss_is_the_mean_log_of_per_image_mse(keras):
    from model.train.predictor import LOG_MSE_FLOOR, log_mse_loss

    y = np.zeros((2, 4, 4, 1), np.float32)
    p = y.copy()
    p[0] += 0.1  # image 0: MSE 0.01; image 1: perfect
    got = float(keras.ops.convert_to_numpy(log_mse_loss(y, p)))
    want = (np.log(0.01 + LOG_MSE_FLOOR) + np.log(LOG_MSE_FLOOR)) / 2
    assert abs(got - want) < 1e-4
