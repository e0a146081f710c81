"""The two-rate head: the newest steps at the model's rate, the whole window at half of it."""

from __future__ import annotations

import numpy as np
import pytest

from model.config import ModelConfig
from tests.model.nets.head_checks import FEATURES, assert_head_runs_on_litert_as_on_keras
from tests.model.nets.head_checks import pose_steps as _steps


@pytest.fixture
def two_rates() -> ModelConfig:
    return ModelConfig(labels=("idle", "raise", "wave"), features="pose", frames=32, decide_from=16,
                       fast_frames=16, embed_dim=8, lstm_units=8)


def test_half_rate_keeps_every_other_step_counted_back_from_the_newest(keras):
    from model.nets.layers import EveryOtherStep, RecentSteps

    for t, kept in ((5, [0, 2, 4]), (6, [1, 3, 5]), (1, [0])):
        x = np.arange(t, dtype=np.float32).reshape(1, t, 1)
        assert np.asarray(EveryOtherStep()(x))[0, :, 0].tolist() == kept, t
        assert EveryOtherStep().compute_output_shape((1, t, 1)) == (1, len(kept), 1)
    x = np.arange(20, dtype=np.float32).reshape(1, 20, 1)
    assert np.asarray(RecentSteps(16)(x))[0, :, 0].tolist() == list(range(4, 20))
    assert np.asarray(RecentSteps(16)(x[:, :3]))[0, :, 0].tolist() == [0, 1, 2]
    assert RecentSteps(16).compute_output_shape((1, 3, 1)) == (1, 3, 1)


def test_the_head_sees_steps_older_than_its_fast_ones(keras, two_rates):
    from model.nets.networks import build_classifier

    both = build_classifier(two_rates)
    x = _steps(32)
    seen, skipped = x.copy(), x.copy()
    seen[:, 3] += 1.0  # older than the newest 16, and on the half rate's steps (31, 29, ..., 1)
    skipped[:, 2] += 1.0  # between two of them
    assert np.abs(both.predict_on_batch(seen) - both.predict_on_batch(x)).max() > 1e-4
    np.testing.assert_allclose(both.predict_on_batch(skipped), both.predict_on_batch(x), atol=1e-6)
    one = build_classifier(two_rates.replace(fast_frames=0, frames=16, decide_from=0))
    assert len(both.get_layer("temporal_head").get_layer("probs").get_weights()[0]) == 16
    assert len(one.get_layer("temporal_head").get_layer("probs").get_weights()[0]) == 8


@pytest.mark.parametrize("t", [4, 15, 16, 32])
def test_any_window_runs_and_encoder_then_head_equals_the_full_model(keras, two_rates, t):
    from model.nets.networks import build_classifier, split_classifier

    model = build_classifier(two_rates)
    encoder, head = split_classifier(model)
    x = _steps(t)
    full = model.predict_on_batch(x)
    emb = encoder.predict_on_batch(x.reshape(-1, FEATURES)).reshape(2, t, -1)
    assert full.shape == (2, 3)
    np.testing.assert_allclose(head.predict_on_batch(emb), full, atol=1e-5)


def test_a_two_rate_model_loads_in_safe_mode_and_answers_the_same(keras, two_rates, tmp_path):
    from model.nets.networks import build_classifier

    model = build_classifier(two_rates)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = _steps(32)
    np.testing.assert_allclose(loaded.predict_on_batch(x), model.predict_on_batch(x), atol=1e-6)


def test_the_two_rate_head_runs_on_litert_as_on_keras(keras, two_rates, tmp_path):
    from model.nets.networks import build_classifier, split_classifier

    _, head = split_classifier(build_classifier(two_rates))
    assert_head_runs_on_litert_as_on_keras(head, 8, (4, 16, 32), tmp_path)
