"""NormalFlow: motion without the look of the room, from the same pairs the live engine makes."""

from __future__ import annotations

import numpy as np
import pytest

from model.preprocess import motion_pair


def _blob_frames(shift: tuple[int, int], size: int = 32):
    """A smooth bright blob, then the same blob moved by `shift` (dy, dx) pixels: (h, w, 1) each."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    def blob(cy, cx):
        return np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 4.0**2))
    first = blob(size / 2, size / 2)
    second = blob(size / 2 + shift[0], size / 2 + shift[1])
    return second[..., None].astype(np.float32), first[..., None].astype(np.float32)


@pytest.fixture(scope="module")
def normal_flow(keras):
    from model.nets.layers import NormalFlow

    return NormalFlow()


def _flow(layer, frame, previous):
    return np.asarray(layer(motion_pair(frame, previous)[None]))[0]


@pytest.mark.parametrize("shift,channel,sign", [((0, 1), 0, 1), ((0, -1), 0, -1), ((1, 0), 1, 1), ((-1, 0), 1, -1)],
                         ids=["right", "left", "down", "up"])
def test_flow_points_the_way_the_picture_moved(normal_flow, shift, channel, sign):
    out = _flow(normal_flow, *_blob_frames(shift))
    assert out.shape == (32, 32, 3)
    moving = out[..., 2] > 0.5 * out[..., 2].max()
    along = out[..., channel][moving]
    across = out[..., 1 - channel][moving]
    # Normal flow is the flow along the gradient: on a round blob it averages to the true motion.
    assert sign * along.mean() > 0.3, along.mean()
    assert abs(across.mean()) < 0.1 * abs(along.mean())


def test_a_still_picture_has_no_flow_whatever_it_shows(normal_flow):
    still = np.random.default_rng(0).random((32, 32, 1), dtype=np.float32)
    out = _flow(normal_flow, still, still)
    assert np.abs(out).max() == 0.0


def _textured_shift(offset: float, contrast: float):
    """A smooth random texture moved one pixel left, with a brightness offset and contrast."""
    import cv2

    tex = cv2.GaussianBlur(np.random.default_rng(3).random((48, 48)).astype(np.float32), (0, 0), 2)
    tex = (tex - tex.min()) / (tex.max() - tex.min())
    tex = offset + contrast * tex
    return tex[4:36, 5:37, None], tex[4:36, 4:36, None]


def test_brightness_and_contrast_do_not_change_the_flow(normal_flow):
    base = _flow(normal_flow, *_textured_shift(0.0, 0.4))
    # The picture moved left: u < 0 inside, and the border is no different from the inside.
    assert base[..., 0].mean() < -0.2
    for offset, contrast in ((0.5, 0.4), (0.02, 0.04), (0.3, 0.6)):
        other = _flow(normal_flow, *_textured_shift(offset, contrast))
        np.testing.assert_allclose(other, base, atol=5e-3, err_msg=f"offset={offset} contrast={contrast}")


def test_colour_pairs_are_read_as_luminance(normal_flow):
    frame, previous = _blob_frames((0, 1))
    gray = _flow(normal_flow, frame, previous)
    rgb = _flow(normal_flow, np.repeat(frame, 3, -1), np.repeat(previous, 3, -1))
    np.testing.assert_allclose(rgb, gray, atol=1e-5)


def test_flow_encoder_round_trips_in_safe_mode(keras, tiny_config, tmp_path):
    from model.nets.networks import build_classifier

    cfg = tiny_config.replace(motion=True, motion_input="flow")
    model = build_classifier(cfg)
    assert any(la.name == "normal_flow" for la in model.get_layer("per_frame").layer.layers)
    x = np.random.default_rng(1).random((2, 6, 16, 16, 1), dtype=np.float32)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict_on_batch(x), model.predict_on_batch(x), atol=1e-6)


def test_an_unknown_motion_input_is_refused_by_name(tiny_config):
    with pytest.raises(ValueError, match=r"`motion_input` must be one of .*Received: motion_input='optical'"):
        tiny_config.replace(motion_input="optical")


@pytest.mark.parametrize("changes", [{"arch": "renet", "motion": True}, {"arch": "convlstm", "motion": True},
                                     {"motion": False}], ids=["renet", "convlstm", "no_motion"])
def test_flow_is_refused_where_no_encoder_would_compute_it(tiny_config, changes):
    with pytest.raises(ValueError, match=r"`motion_input`='flow' needs `arch`='cnn_lstm' with `motion` on"):
        tiny_config.replace(motion_input="flow", **changes)
