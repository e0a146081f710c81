"""A label that needs the legs (`ModelConfig.needs_legs`): no window without them shows it."""

from __future__ import annotations

import numpy as np
import pytest

from model.config import ModelConfig
from model.pose.features import LEGS, PRESENCE_INDEX
from tests.model.nets.head_checks import FEATURES, assert_head_runs_on_litert_as_on_keras
from tests.model.nets.head_checks import pose_steps as _steps

LABELS = ("idle", "jumping_jack", "other", "wave_two_hands")


@pytest.fixture
def gated() -> ModelConfig:
    return ModelConfig(labels=LABELS, features="pose", frames=24, decide_from=16, fast_frames=16,
                       short_head_frames=16, embed_dim=8, lstm_units=8, needs_legs=("jumping_jack",))


def _with_person(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    x[..., PRESENCE_INDEX] = 1.0
    return x


def _legless(x: np.ndarray, steps=slice(None)) -> np.ndarray:
    x = x.copy()
    for b in LEGS:
        x[:, steps, 2 * b : 2 * b + 2] = 0.0
    return x


def test_a_window_without_legs_never_gives_a_jack_and_one_step_with_them_is_enough(gated):
    from model.nets.cnn_lstm import GATED_HEAD
    from model.nets.networks import build_classifier, split_classifier

    model = build_classifier(gated)
    x = _with_person(_steps(24))
    jack = LABELS.index("jumping_jack")
    seen = model.predict_on_batch(x)
    unseen = model.predict_on_batch(_legless(x))
    assert (seen[:, jack] > 0.01).all()
    np.testing.assert_allclose(unseen[:, jack], 0.0, atol=1e-7)
    # The rest keep the proportions the head before the gate gave them, and sum to 1.
    encoder, head = split_classifier(model)
    emb = encoder.predict_on_batch(_legless(x).reshape(-1, FEATURES)).reshape(2, 24, -1)
    before = head.get_layer(GATED_HEAD).predict_on_batch(emb[..., :-1])
    rest = [k for k in range(len(LABELS)) if k != jack]
    np.testing.assert_allclose(unseen.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(unseen[:, rest], before[:, rest] / before[:, rest].sum(-1, keepdims=True), atol=1e-5)
    # Legs on the window's first step only: the window shows them, the jack keeps its share.
    assert (model.predict_on_batch(_legless(x, slice(1, None)))[:, jack] > 0.01).all()


def test_legs_of_nobody_are_not_seen(gated):
    from model.nets.networks import build_classifier

    model = build_classifier(gated)
    x = _steps(24)
    x[..., PRESENCE_INDEX] = 0.0  # legs in the numbers, but no person: not seen
    assert np.allclose(model.predict_on_batch(x)[:, LABELS.index("jumping_jack")], 0.0, atol=1e-7)


def test_the_parts_have_no_gate_and_joined_heads_get_one(keras, gated):
    from model.nets.networks import build_classifier, join_heads, split_classifier

    assert gated.long_head_config().needs_legs == () and gated.short_head_config().needs_legs == ()
    joined = join_heads(build_classifier(gated.long_head_config()), build_classifier(gated.short_head_config()), gated)
    encoder, head = split_classifier(joined)
    assert encoder.output.shape[-1] == 17  # each head's 8, then legs seen
    x = _with_person(_steps(24))
    emb = encoder.predict_on_batch(_legless(x).reshape(-1, FEATURES)).reshape(2, 24, -1)
    np.testing.assert_array_equal(emb[..., -1], 0.0)
    np.testing.assert_allclose(head.predict_on_batch(emb), joined.predict_on_batch(_legless(x)), atol=1e-5)


def test_a_gated_model_loads_in_safe_mode_and_its_head_runs_on_litert(keras, gated, tmp_path):
    from model.nets.networks import build_classifier, split_classifier

    model = build_classifier(gated)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = _legless(_with_person(_steps(24)), slice(0, 20))
    np.testing.assert_allclose(loaded.predict_on_batch(x), model.predict_on_batch(x), atol=1e-6)
    _, head = split_classifier(loaded)
    assert_head_runs_on_litert_as_on_keras(head, 17, (4, 16, 24), tmp_path)



def test_the_encoder_with_its_legs_flag_runs_on_litert_as_on_keras(gated, tmp_path):
    from model.lite.convert import convert_keras, max_abs_difference
    from model.nets.networks import build_classifier, split_classifier
    from model.train.pose_legs import legs_seen

    encoder, _ = split_classifier(build_classifier(gated))
    path = tmp_path / "encoder.tflite"
    path.write_bytes(convert_keras(encoder, (1, FEATURES)))
    frames = _with_person(_steps(2, batch=1))[0]
    for frame, flag in ((frames[:1], 1.0), (_legless(frames[None], slice(None))[0][1:2], 0.0)):
        assert encoder.predict_on_batch(frame)[0, -1] == flag == float(legs_seen(frame)[0])  # as training reads it
        assert max_abs_difference(path, encoder, [frame]) < 1e-4
