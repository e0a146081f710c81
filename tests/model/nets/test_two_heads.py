"""Two heads on one cached embedding: a long two-rate head and a short one-rate head, averaged."""

from __future__ import annotations

import numpy as np
import pytest

from model.config import ModelConfig
from tests.model.nets.head_checks import FEATURES, assert_head_runs_on_litert_as_on_keras
from tests.model.nets.head_checks import pose_steps as _steps


@pytest.fixture
def two_heads() -> ModelConfig:
    return ModelConfig(labels=("idle", "raise", "wave"), features="pose", frames=24, decide_from=16,
                       fast_frames=16, short_head_frames=16, embed_dim=8, lstm_units=8)


def test_the_parts_configs_are_one_long_head_and_one_short_head(two_heads):
    long, short = two_heads.long_head_config(), two_heads.short_head_config()
    assert (long.frames, long.fast_frames, long.decide_from, long.short_head_frames) == (24, 16, 16, 0)
    assert (short.frames, short.fast_frames, short.decide_from, short.short_head_frames) == (16, 0, 0, 0)
    with pytest.raises(ValueError, match=r"`short_head_frames`.*short_head_frames=30, frames=24"):
        two_heads.replace(short_head_frames=30)
    with pytest.raises(ValueError, match=r"features='pixels'"):
        ModelConfig(frames=24, short_head_frames=16)


def test_a_feature_slice_keeps_its_part_of_the_last_axis(keras):
    from model.nets.layers import FeatureSlice

    x = np.arange(12, dtype=np.float32).reshape(1, 2, 6)
    assert np.asarray(FeatureSlice(2, 5)(x)).tolist() == [[[2, 3, 4], [8, 9, 10]]]
    assert FeatureSlice(2, 5).compute_output_shape((1, None, 6)) == (1, None, 3)
    with pytest.raises(ValueError, match="start=3, stop=3"):
        FeatureSlice(3, 3)


def test_joined_heads_give_the_mean_of_the_two_models(keras, two_heads):
    from model.nets.networks import build_classifier, join_heads

    keras.utils.set_random_seed(0)
    long, short = build_classifier(two_heads.long_head_config()), build_classifier(two_heads.short_head_config())
    joined = join_heads(long, short, two_heads)
    x = _steps(24)
    want = (long.predict_on_batch(x) + short.predict_on_batch(x[:, -16:])) / 2
    np.testing.assert_allclose(joined.predict_on_batch(x), want, atol=1e-5)
    # The short head reads only the newest 16 steps: an older step moves the long head alone.
    older = x.copy()
    older[:, 3] += 1.0
    moved = joined.predict_on_batch(older) - joined.predict_on_batch(x)
    np.testing.assert_allclose(moved, (long.predict_on_batch(older) - long.predict_on_batch(x)) / 2, atol=1e-5)
    assert np.abs(moved).max() > 1e-5


@pytest.mark.parametrize("t", [4, 16, 24])
def test_encoder_then_head_equals_the_full_model(keras, two_heads, t):
    from model.nets.networks import build_classifier, split_classifier

    model = build_classifier(two_heads)
    encoder, head = split_classifier(model)
    assert encoder.output.shape[-1] == 16  # each head's 8, side by side
    x = _steps(t)
    emb = encoder.predict_on_batch(x.reshape(-1, FEATURES)).reshape(2, t, -1)
    np.testing.assert_allclose(head.predict_on_batch(emb), model.predict_on_batch(x), atol=1e-5)


def test_two_heads_load_in_safe_mode_and_run_on_litert_as_on_keras(keras, two_heads, tmp_path):
    from model.nets.networks import build_classifier, split_classifier

    model = build_classifier(two_heads)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = _steps(24)
    np.testing.assert_allclose(loaded.predict_on_batch(x), model.predict_on_batch(x), atol=1e-6)
    _, head = split_classifier(loaded)
    assert_head_runs_on_litert_as_on_keras(head, 16, (4, 16, 24), tmp_path)
