"""Shape checks: every message states the expected and the received shape, plus the fix."""

from __future__ import annotations

import numpy as np
import pytest

from model.shapes import ShapeError, check_frame, check_input_shape, check_window

FS = (192, 192, 1)  # the frame shape of the classic "frames on the last axis" question
EXPECT_BATCH = "`frames` must have shape (batch, time, h, w, c) = (batch, time, 192, 192, 1)."
EXPECT_WINDOW = "`frames` must have shape (time, h, w, c) = (time, 192, 192, 1)."


def zeros(*shape: int) -> np.ndarray:
    """A read-only array of any shape that costs no memory (120x192x192x60 is 1 GB)."""
    return np.broadcast_to(np.zeros((), np.float32), shape)


def message(fn, *args, **kwargs) -> str:
    with pytest.raises(ShapeError) as err:
        fn(*args, **kwargs)
    msg = str(err.value)
    assert "\n" not in msg, "shape errors must be one line"
    return msg


def test_shape_error_is_a_value_error():
    assert issubclass(ShapeError, ValueError)


def test_frames_on_the_last_axis_suggest_moveaxis_not_reshape():
    msg = message(check_window, zeros(120, 192, 192, 60), FS)
    assert msg.startswith(EXPECT_BATCH)
    assert "Received: frames.shape=(120, 192, 192, 60)." in msg
    assert "np.moveaxis(x, -1, 1)" in msg
    assert "not reshape" in msg
    assert "(120, 60, 192, 192, 1)" in msg  # what the fix produces


def test_frames_on_the_last_axis_of_one_window_suggest_moveaxis_to_axis_0():
    msg = message(check_window, zeros(192, 192, 60), FS, batch=False)
    assert msg.startswith(EXPECT_WINDOW)
    assert "Received: frames.shape=(192, 192, 60)." in msg
    assert "np.moveaxis(x, -1, 0)" in msg
    assert "(60, 192, 192, 1)" in msg


def test_frames_on_the_last_axis_for_an_rgb_model_does_not_promise_one_channel():
    msg = message(check_window, zeros(120, 192, 192, 60), (192, 192, 3))
    assert "np.moveaxis(x, -1, 1)" in msg
    assert "[..., None]" not in msg
    assert "3 channels" in msg


def test_single_frame_where_a_window_is_expected():
    msg = message(check_window, zeros(*FS), FS, batch=False)
    assert msg.startswith(EXPECT_WINDOW)
    assert "Received: frames.shape=(192, 192, 1)." in msg
    assert "This is one frame (h, w, c); a window of several frames is needed" in msg


def test_single_frame_where_a_batch_is_expected():
    msg = message(check_window, zeros(*FS), FS)
    assert msg.startswith(EXPECT_BATCH)
    assert "Received: frames.shape=(192, 192, 1)." in msg
    assert "This is one frame" in msg and "x[None]" in msg


def test_window_where_a_batch_is_expected_says_add_the_batch_axis():
    msg = message(check_window, zeros(16, *FS), FS)
    assert msg.startswith(EXPECT_BATCH)
    assert "Received: frames.shape=(16, 192, 192, 1)." in msg
    assert "This is one window (time, h, w, c); add the batch axis: x[None]." in msg


def test_wrong_channel_count_names_both_counts_and_the_converter():
    msg = message(check_window, zeros(2, 16, 192, 192, 3), FS)
    assert msg.startswith(EXPECT_BATCH)
    assert "Received: frames.shape=(2, 16, 192, 192, 3)." in msg
    assert "Frames have 3 channel(s), the model takes 1." in msg
    assert "preprocess_frame" in msg


def test_missing_channel_axis_says_add_it():
    msg = message(check_window, zeros(2, 16, 192, 192), FS)
    assert "Received: frames.shape=(2, 16, 192, 192)." in msg
    assert "channel axis is missing" in msg and "x[..., None]" in msg


def test_channels_first_says_move_them_last():
    msg = message(check_window, zeros(2, 16, 1, 192, 192), FS)
    assert "Received: frames.shape=(2, 16, 1, 192, 192)." in msg
    assert "np.moveaxis(x, -3, -1)" in msg


def test_wrong_frame_size_says_resize():
    msg = message(check_window, zeros(2, 16, 64, 64, 1), FS)
    assert msg.startswith(EXPECT_BATCH)
    assert "Received: frames.shape=(2, 16, 64, 64, 1)." in msg
    assert "192x192x1" in msg and "preprocess_frame" in msg


def test_extra_axis_is_named():
    msg = message(check_window, zeros(1, 2, 16, *FS), FS)
    assert "Received: frames.shape=(1, 2, 16, 192, 192, 1)." in msg
    assert "extra axis" in msg


def test_exact_window_length_is_stated():
    msg = message(check_window, zeros(2, 8, *FS), FS, time=16)
    assert msg.startswith("`frames` must have shape (batch, time, h, w, c) = (batch, 16, 192, 192, 1).")
    assert "Received: frames.shape=(2, 8, 192, 192, 1)." in msg
    assert "The window has 8 frames, the model takes 16." in msg


@pytest.mark.parametrize(("t", "max_time", "bounds"), [(2, 32, "between 4 and 32"), (40, 32, "between 4 and 32"), (2, None, "at least 4")])
def test_window_length_out_of_range_states_the_range(t, max_time, bounds):
    msg = message(check_window, zeros(2, t, *FS), FS, min_time=4, max_time=max_time)
    assert f"Received: frames.shape=(2, {t}, 192, 192, 1)." in msg
    assert f"The window must hold {bounds} frames; it holds {t}." in msg


def test_argument_name_is_used_in_the_message():
    msg = message(check_window, zeros(16, *FS), FS, name="window")
    assert msg.startswith("`window` must have shape") and "Received: window.shape=" in msg


def test_ragged_frames_name_the_shapes_instead_of_a_numpy_error():
    frames = [np.zeros((64, 64, 1)), np.zeros((32, 32, 1))]
    msg = message(check_window, frames, (64, 64, 1), batch=False)
    assert msg.startswith("`frames` must be frames of one shape")
    assert "Received: 2 items of shapes (64, 64, 1), (32, 32, 1)." in msg


def test_good_window_passes_unchanged_as_float32():
    x = np.random.default_rng(0).random((2, 5, 8, 8, 1))
    out = check_window(x, (8, 8, 1), min_time=4, max_time=8)
    assert out.dtype == np.float32 and out.shape == x.shape
    np.testing.assert_allclose(out, x, rtol=1e-6)
    assert check_window(x[0], (8, 8, 1), batch=False, time=5).shape == (5, 8, 8, 1)


def test_check_frame_messages():
    expect = "`frame` must have shape (h, w, c) = (192, 192, 1)."
    msg = message(check_frame, zeros(4, *FS), FS)
    assert msg.startswith(expect) and "Received: frame.shape=(4, 192, 192, 1)." in msg
    assert "This is a window of frames; pass one frame, e.g. x[-1]." in msg

    msg = message(check_frame, zeros(192, 192, 3), FS)
    assert "Received: frame.shape=(192, 192, 3)." in msg
    assert "The model takes 1 channel(s)" in msg

    msg = message(check_frame, zeros(192, 192), FS)
    assert "Received: frame.shape=(192, 192)." in msg and "x[..., None]" in msg

    msg = message(check_frame, zeros(64, 64, 1), FS)
    assert "Received: frame.shape=(64, 64, 1)." in msg and "preprocess_frame" in msg

    ok = check_frame(np.ones(FS, np.uint8), FS)
    assert ok.dtype == np.float32 and ok.shape == FS


def test_hidden_layer_sizes_as_input_shape_are_explained():
    msg = message(check_input_shape, (4, 64))
    assert "`input_shape`" in msg and "(time, h, w, c)" in msg
    assert msg.endswith(
        "Received: input_shape=(4, 64). Two numbers look like hidden-layer sizes (time, units) "
        "or (units, units); `input_shape` describes the frames that go in, not the layers."
    )


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        ((2, 16, 64, 64, 1), "Drop the batch axis: input_shape=x.shape[1:]."),
        ((64, 64, 1), "add the time axis: (None, h, w, c)."),
        ((64,), ""),
        ((None, None, None, 1), "h, w and c must be positive integers"),
        ((None, 64, 0, 1), "h, w and c must be positive integers"),
    ],
)
def test_other_bad_input_shapes(shape, hint):
    msg = message(check_input_shape, shape)
    shown = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    assert f"Received: input_shape={shown}" in msg
    assert hint in msg


def test_input_shape_must_match_the_config_frame():
    msg = message(check_input_shape, (None, 32, 32, 1), (64, 64, 1))
    assert "The config gives frames of (64, 64, 1)." in msg
    assert "Received: input_shape=(None, 32, 32, 1)." in msg
    assert check_input_shape([None, 64, 64, 1], (64, 64, 1)) == (None, 64, 64, 1)
