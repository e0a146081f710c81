"""The next-frame predictor: one frame out, copy-last-frame when untrained, values in [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest


def _windows(t: int, batch: int = 2, size: int = 16, c: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((batch, t, size, size, c), dtype=np.float32)


@pytest.fixture(scope="module")
def build_predictor(keras):
    from model.nets.predictor import build_predictor

    return build_predictor


def test_returns_exactly_one_frame_for_any_window_length(build_predictor, tiny_config):
    model = build_predictor(tiny_config)
    assert tuple(model.input.shape) == (None, None, 16, 16, 1)
    assert tuple(model.output.shape) == (None, 16, 16, 1)
    for t in (4, 9, 2):
        out = model.predict_on_batch(_windows(t, batch=3))
        assert out.shape == (3, 16, 16, 1), f"T={t}: one frame per window, not one per step"


@pytest.mark.parametrize("color", ["gray", "rgb"])
def test_untrained_predictor_copies_the_last_frame(build_predictor, tiny_config, color):
    cfg = tiny_config.replace(color=color)
    model = build_predictor(cfg)
    for t in (4, 6):
        x = _windows(t, c=cfg.channels, seed=t)
        np.testing.assert_allclose(model.predict_on_batch(x), x[:, -1], atol=1e-6)


def test_frame_shape_override(build_predictor, tiny_config):
    model = build_predictor(tiny_config, frame_shape=(32, 32, 1))
    x = _windows(4, size=32)
    out = model.predict_on_batch(x)
    assert out.shape == (2, 32, 32, 1)
    np.testing.assert_allclose(out, x[:, -1], atol=1e-6)


def test_trained_delta_sees_the_whole_window_and_output_stays_in_unit_range(build_predictor, tiny_config):
    model = build_predictor(tiny_config)
    delta = model.get_layer("delta")
    kernel, bias = delta.get_weights()
    rng = np.random.default_rng(1)
    delta.set_weights([rng.normal(0, 1.0, kernel.shape).astype(np.float32), bias])
    x = _windows(4)
    out = model.predict_on_batch(x)
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert np.abs(out - x[:, -1]).max() > 1e-3
    changed = x.copy()
    changed[:, 0] = 1.0 - changed[:, 0]  # only the first frame differs
    assert np.abs(model.predict_on_batch(changed) - out).max() > 1e-6


@pytest.mark.parametrize(("bias", "want"), [(5.0, 1.0), (-5.0, 0.0)])
def test_output_is_clipped_to_a_valid_image(build_predictor, tiny_config, bias, want):
    model = build_predictor(tiny_config)
    delta = model.get_layer("delta")
    kernel, b = delta.get_weights()
    delta.set_weights([kernel, np.full_like(b, bias)])
    np.testing.assert_array_equal(model.predict_on_batch(_windows(4)), want)


def test_custom_layers_round_trip_their_config(keras):
    from model.nets.layers import ClipValues, LastFrame

    clip = ClipValues(0.25, 0.5, name="c")
    again = ClipValues.from_config(clip.get_config())
    assert (again.low, again.high, again.name) == (0.25, 0.5, "c")
    x = np.linspace(0, 1, 8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(x)), np.clip(x, 0.25, 0.5))

    last = LastFrame()
    assert last.compute_output_shape((None, 7, 16, 16, 1)) == (None, 16, 16, 1)
    w = _windows(3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(last(w)), w[:, -1])
