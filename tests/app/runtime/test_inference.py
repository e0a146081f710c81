"""Tests for app/runtime/inference.py: the compiled calls agree with the full Keras models."""

from __future__ import annotations

import numpy as np
import pytest

from app.runtime.inference import CompiledModels
from model.bundle import Bundle, load_bundle
from model.shapes import ShapeError
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    convlstm_bundle_fixture,
    plain_bundle_fixture,
    tiny_bundle_fixture,
    tiny_config,
)

TOL = 1e-5


@pytest.fixture(scope="module")
def models(plain_bundle) -> CompiledModels:
    """A cnn_lstm whose encoder takes one plain frame."""
    return CompiledModels(load_bundle(plain_bundle))


@pytest.fixture(scope="module")
def motion_models(tiny_bundle) -> CompiledModels:
    """A cnn_lstm whose encoder takes (frame, change) pairs, as `train` makes by default."""
    return CompiledModels(load_bundle(tiny_bundle))


@pytest.fixture(scope="module")
def window() -> np.ndarray:
    """A (6, 16, 16, 1) window of noise in [0, 1]."""
    return np.random.default_rng(0).random((6, 16, 16, 1), dtype=np.float32)


def test_cnn_lstm_is_cached_with_its_embedding_width(models):
    assert models.cached and not models.motion
    assert models.embed_dim == 8
    assert models.device == "/CPU:0"
    assert models.predictor is not None


def test_embed_then_head_equals_the_full_classifier(models, window):
    embeddings = np.stack([models.embed(f) for f in window])
    assert embeddings.shape == (6, 8)
    probs = models.classify_embeddings(embeddings)
    full = np.asarray(models.classifier.predict_on_batch(window[None]))[0]
    assert probs.shape == (3,)
    np.testing.assert_allclose(probs, full, atol=TOL)
    np.testing.assert_allclose(models.classify_window(window), full, atol=TOL)
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_head_takes_any_window_length(models, window):
    for length in (4, 5, 6):
        emb = np.stack([models.embed(f) for f in window[-length:]])
        full = np.asarray(models.classifier.predict_on_batch(window[None, -length:]))[0]
        np.testing.assert_allclose(models.classify_embeddings(emb), full, atol=TOL)


def test_embed_batch_equals_one_by_one(models, window):
    batch = models.embed_batch(window)
    assert batch.shape == (6, 8)
    np.testing.assert_allclose(batch, np.stack([models.embed(f) for f in window]), atol=TOL)


def test_motion_pairs_then_head_equal_the_full_classifier(motion_models, window):
    from model.preprocess import motion_pair

    assert motion_models.cached and motion_models.motion
    pairs = np.stack([motion_pair(window[k], window[k - 1]) for k in range(1, len(window))])
    assert pairs.shape == (5, 16, 16, 2)
    embeddings = motion_models.embed_batch(pairs)
    assert embeddings.shape == (5, 8)
    np.testing.assert_allclose(motion_models.embed(pairs[-1]), embeddings[-1], atol=TOL)
    full = np.asarray(motion_models.classifier.predict_on_batch(window[None]))[0]
    np.testing.assert_allclose(motion_models.classify_embeddings(embeddings), full, atol=TOL)
    np.testing.assert_allclose(motion_models.classify_window(window), full, atol=TOL)
    with pytest.raises(ShapeError):
        motion_models.embed(window[0])  # one plain frame: the pair is missing
    motion_models.warm_up(4)


def test_predict_next_gives_one_frame_in_range(models, window):
    nxt = models.predict_next(window[-4:])
    assert nxt.shape == (16, 16, 1)
    assert nxt.min() >= 0.0 and nxt.max() <= 1.0
    # An untrained predictor's last convolution is zero: it copies the last frame.
    np.testing.assert_allclose(nxt, window[-1], atol=1e-6)


def test_warm_up_runs_every_call(models):
    models.warm_up(6)


def test_wrong_frame_shape_is_a_shape_error(models):
    with pytest.raises(ShapeError, match="frame"):
        models.embed(np.zeros((32, 32, 1), np.float32))
    with pytest.raises(ShapeError):
        models.classify_window(np.zeros((6, 32, 32, 1), np.float32))


def test_convlstm_is_not_cached_and_runs_whole_windows(convlstm_bundle, window):
    models = CompiledModels(load_bundle(convlstm_bundle))
    assert not models.cached
    assert models.embed_dim is None
    full = np.asarray(models.classifier.predict_on_batch(window[None]))[0]
    np.testing.assert_allclose(models.classify_window(window), full, atol=TOL)
    models.warm_up(4)


def test_frame_wise_head_reports_the_last_step(keras):
    from model.nets.networks import build_classifier

    config = tiny_config(frame_wise=True)
    classifier = build_classifier(config)
    models = CompiledModels(Bundle(None, config, classifier))
    x = np.random.default_rng(1).random((5, 16, 16, 1), dtype=np.float32)
    per_step = np.asarray(classifier.predict_on_batch(x[None]))[0]
    assert per_step.shape == (5, 3)
    emb = np.stack([models.embed(f) for f in x])
    np.testing.assert_allclose(models.classify_embeddings(emb), per_step[-1], atol=TOL)
    np.testing.assert_allclose(models.classify_window(x), per_step[-1], atol=TOL)


def test_gray_predictor_serves_an_rgb_classifier(keras):
    from model.nets.networks import build_classifier
    from model.nets.predictor import build_predictor

    config = tiny_config(color="rgb")
    models = CompiledModels(
        Bundle(None, config, build_classifier(config), build_predictor(config, (16, 16, 1)))
    )
    x = np.random.default_rng(2).random((4, 16, 16, 3), dtype=np.float32)
    nxt = models.predict_next(x)
    assert nxt.shape == (16, 16, 1)
    np.testing.assert_allclose(nxt, x[-1].mean(axis=-1, keepdims=True), atol=1e-6)
