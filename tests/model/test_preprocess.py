"""preprocess_frame: every input layout OpenCV produces, colour order, range and errors."""

from __future__ import annotations

import numpy as np
import pytest

from model.preprocess import preprocess_frame, preprocess_frames, to_display

H, W = 37, 53  # odd and non-square, so a transposed or off-by-one resize shows


def _frames(rng: np.random.Generator) -> dict[str, np.ndarray]:
    bgr = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (H, W), dtype=np.uint8)
    alpha = rng.integers(0, 256, (H, W, 1), dtype=np.uint8)
    return {
        "gray2d": gray,
        "gray3d": gray[:, :, None],
        "bgr": bgr,
        "bgra": np.concatenate([bgr, alpha], axis=2),
    }


@pytest.mark.parametrize("kind", ["gray2d", "gray3d", "bgr", "bgra"])
@pytest.mark.parametrize(("color", "channels"), [("gray", 1), ("rgb", 3)])
@pytest.mark.parametrize("size", [16, 32])
def test_any_layout_gives_float32_size_size_c_in_unit_range(tiny_config, kind, color, channels, size):
    cfg = tiny_config.replace(color=color, size=size)
    frame = _frames(np.random.default_rng(0))[kind]
    out = preprocess_frame(frame, cfg)
    assert out.dtype == np.float32
    assert out.shape == (size, size, channels)
    assert out.min() >= 0.0 and out.max() <= 1.0
    # Random pixels average near 0.5; an unscaled (0..255) output would not.
    assert 0.2 < float(out.mean()) < 0.8


@pytest.mark.parametrize("color", ["gray", "rgb"])
def test_gray_with_and_without_channel_axis_agree(tiny_config, color):
    frames = _frames(np.random.default_rng(1))
    cfg = tiny_config.replace(color=color)
    np.testing.assert_array_equal(
        preprocess_frame(frames["gray2d"], cfg), preprocess_frame(frames["gray3d"], cfg)
    )


@pytest.mark.parametrize("color", ["gray", "rgb"])
def test_alpha_channel_is_ignored(tiny_config, color):
    frames = _frames(np.random.default_rng(2))
    cfg = tiny_config.replace(color=color)
    np.testing.assert_array_equal(
        preprocess_frame(frames["bgra"], cfg), preprocess_frame(frames["bgr"], cfg)
    )


def test_gray_input_in_rgb_mode_has_three_equal_channels(tiny_config):
    out = preprocess_frame(_frames(np.random.default_rng(3))["gray2d"], tiny_config.replace(color="rgb"))
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    np.testing.assert_array_equal(out[..., 0], out[..., 2])


@pytest.mark.parametrize("alpha", [False, True])
def test_pure_blue_bgr_frame_is_blue_in_rgb_order(tiny_config, alpha):
    frame = np.zeros((H, W, 4 if alpha else 3), np.uint8)
    frame[..., 0] = 255  # OpenCV's channel 0 is blue
    out = preprocess_frame(frame, tiny_config.replace(color="rgb"))
    np.testing.assert_array_equal(out[..., 0], 0.0)  # R
    np.testing.assert_array_equal(out[..., 1], 0.0)  # G
    np.testing.assert_array_equal(out[..., 2], 1.0)  # B


def test_pure_red_bgr_frame_is_red_in_rgb_order(tiny_config):
    frame = np.zeros((H, W, 3), np.uint8)
    frame[..., 2] = 255
    out = preprocess_frame(frame, tiny_config.replace(color="rgb"))
    np.testing.assert_array_equal(out[..., 0], 1.0)
    np.testing.assert_array_equal(out[..., 2], 0.0)


def test_gray_mode_weights_blue_as_luma_not_as_red(tiny_config):
    blue = np.zeros((H, W, 3), np.uint8)
    blue[..., 0] = 255
    red = np.zeros((H, W, 3), np.uint8)
    red[..., 2] = 255
    # ITU-R BT.601 luma: 0.114 for blue, 0.299 for red.
    assert abs(float(preprocess_frame(blue, tiny_config).mean()) - 0.114) < 2 / 255
    assert abs(float(preprocess_frame(red, tiny_config).mean()) - 0.299) < 2 / 255


def test_uniform_frame_keeps_its_exact_value_and_white_is_one(tiny_config):
    out = preprocess_frame(np.full((H, W), 100, np.uint8), tiny_config)
    assert np.unique(out).size == 1
    np.testing.assert_allclose(out, 100 / 255, rtol=0, atol=1e-7)
    white = preprocess_frame(np.full((H, W, 3), 255, np.uint8), tiny_config.replace(color="rgb"))
    np.testing.assert_array_equal(white, 1.0)


def test_rows_stay_rows_and_columns_stay_columns(tiny_config):
    top = np.zeros((H, W), np.uint8)
    top[: H // 3] = 255
    out = preprocess_frame(top, tiny_config)[..., 0]
    assert np.all(out[0] == 1.0) and np.all(out[-1] == 0.0)
    left = np.zeros((H, W), np.uint8)
    left[:, : W // 3] = 255
    out = preprocess_frame(left, tiny_config)[..., 0]
    assert np.all(out[:, 0] == 1.0) and np.all(out[:, -1] == 0.0)


def test_uint16_and_float_frames_scale_by_their_range(tiny_config):
    frame = np.random.default_rng(4).integers(0, 256, (H, W, 3), dtype=np.uint8)
    cfg = tiny_config.replace(color="rgb")
    want = preprocess_frame(frame, cfg)
    np.testing.assert_array_equal(preprocess_frame(frame.astype(np.uint16) << 8, cfg), want)
    np.testing.assert_array_equal(preprocess_frame(frame.astype(np.float32) / 255.0, cfg), want)


@pytest.mark.parametrize(
    "shape", [(H, W, 2), (H, W, 5), (H * W,), (1, H, W, 3), (2, H, W)]
)
def test_bad_layout_is_a_clear_value_error(tiny_config, shape):
    frame = np.zeros(shape, np.uint8)
    with pytest.raises(ValueError) as err:
        preprocess_frame(frame, tiny_config)
    msg = str(err.value)
    assert msg.startswith("`frame` must be a gray (h, w), BGR (h, w, 3) or BGRA (h, w, 4) image.")
    assert msg.endswith(f"Received: frame.shape={shape}")
    assert "\n" not in msg


@pytest.mark.parametrize("shape", [(0, W), (H, 0, 3)])
def test_empty_frame_is_refused(tiny_config, shape):
    with pytest.raises(ValueError, match=r"`frame` is empty\. Received: frame\.shape="):
        preprocess_frame(np.zeros(shape, np.uint8), tiny_config)


def test_preprocess_frames_stacks_in_order(tiny_config):
    frames = [np.full((H, W), v, np.uint8) for v in (0, 128, 255)]
    out = preprocess_frames(frames, tiny_config)
    assert out.shape == (3, 16, 16, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[:, 0, 0, 0], [0.0, 128 / 255, 1.0], rtol=0, atol=1e-7)


def test_preprocess_frames_of_nothing_is_an_empty_window(tiny_config):
    out = preprocess_frames([], tiny_config.replace(color="rgb"))
    assert out.shape == (0, 16, 16, 3) and out.dtype == np.float32


def test_to_display_inverts_preprocess_at_the_same_size(tiny_config):
    bgr = np.random.default_rng(5).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    back = to_display(preprocess_frame(bgr, tiny_config.replace(color="rgb")))
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, bgr)


def test_to_display_of_gray_is_three_equal_bgr_channels(tiny_config):
    gray = np.random.default_rng(6).integers(0, 256, (16, 16), dtype=np.uint8)
    back = to_display(preprocess_frame(gray, tiny_config))
    assert back.shape == (16, 16, 3)
    for ch in range(3):
        np.testing.assert_array_equal(back[..., ch], gray)
