"""Repeated-sweep labels (`ModelConfig.needs_repeats`): one sweep of the arms from low is never a wave."""

from __future__ import annotations

import numpy as np
import pytest

from model.config import ModelConfig
from model.pose.features import ARM_PICTURE_COLUMNS, LEFT_FOREARM, PRESENCE_INDEX
from tests.model.nets.head_checks import FEATURES, assert_head_runs_on_litert_as_on_keras
from tests.model.nets.head_checks import pose_steps as _steps

LABELS = ("idle", "jumping_jack", "other", "side_arm_raise", "wave_two_hands")
WAVE = LABELS.index("wave_two_hands")


@pytest.fixture
def gated() -> ModelConfig:
    return ModelConfig(labels=LABELS, features="pose", frames=24, decide_from=16, fast_frames=16,
                       short_head_frames=16, embed_dim=8, lstm_units=8, needs_legs=("jumping_jack",),
                       needs_repeats=("wave_two_hands",))


def _arms(angles, batch: int = 2, seed: int = 0) -> np.ndarray:
    """Pose windows (batch, t, FEATURES) whose four arm bones point at `angles` (t,) from hanging
    (0: down the picture, pi: straight up), both arms out to their own sides; the rest random."""
    a = np.asarray(angles, np.float32)
    x = _steps(len(a), batch=batch, seed=seed)
    x[..., PRESENCE_INDEX] = 1.0
    left, right = np.stack([np.sin(a), np.cos(a)], -1), np.stack([-np.sin(a), np.cos(a)], -1)
    for k, bone in enumerate((left, left, right, right)):
        x[..., ARM_PICTURE_COLUMNS[2 * k : 2 * k + 2]] = bone
    return x


def _ramp(*points, steps: int = 24) -> np.ndarray:
    """Angles through (step, angle) points, held before the first and after the last."""
    at, angle = zip(*points, strict=True)
    return np.interp(np.arange(steps), at, angle)


RAISED = _ramp((4, 0.0), (10, np.pi))  # from the sides to overhead, held
LOWERED_ONCE = _ramp((2, 0.0), (8, np.pi), (14, np.pi), (20, 0.0))
FROM_LOW_WAVING = _ramp((2, 0.0), (8, np.pi), (12, 2.0), (16, np.pi), (20, 2.0))
FULL_SWEEPS = _ramp((1, 0.0), (7, np.pi), (13, 0.0), (19, np.pi))  # KTH's and healthserv's waves
ARCS_OVERHEAD = _ramp((0, 1.8), (6, np.pi), (12, 1.8), (18, np.pi))  # starts up: not from low


def _reference(x: np.ndarray) -> np.ndarray:
    """One sweep by the training labels' own functions: (batch, t, FEATURES) -> (batch,) bool."""
    from model.nets.repeats import ARMS_LOW
    from model.train.pose_definitions import arm_path, turning_points

    out = []
    for window in x:
        path = arm_path(window)
        out.append(len(turning_points(path)) <= 1 and float(-path[0].reshape(4, 2)[:, 1].mean()) <= ARMS_LOW)
    return np.asarray(out)


def _one_sweep(x: np.ndarray, steps: int = 24) -> np.ndarray:
    from model.nets.repeats import RepeatsGate

    arms = x[..., list(ARM_PICTURE_COLUMNS)] * (x[..., PRESENCE_INDEX : PRESENCE_INDEX + 1] > 0)
    return np.asarray(RepeatsGate([WAVE], steps).one_sweep(arms))


@pytest.mark.parametrize(("angles", "once"), [(RAISED, True), (LOWERED_ONCE, True), (FROM_LOW_WAVING, False),
                                              (FULL_SWEEPS, False), (ARCS_OVERHEAD, False)])
def test_one_sweep_from_low_is_told_from_repeats_as_the_training_labels_tell_it(angles, once):
    x = _arms(angles)
    assert _reference(x).tolist() == [once, once]
    assert _one_sweep(x).tolist() == [once, once]


def test_turns_are_counted_as_the_labels_count_them_on_random_arms_with_lost_bones():
    from model.nets.repeats import RepeatsGate
    from model.train.pose_definitions import arm_path, turning_points

    rng = np.random.default_rng(3)
    walks = np.cumsum(rng.normal(0.0, 0.5, (300, 24)), axis=1) + rng.uniform(0.0, np.pi, (300, 1))
    x = np.concatenate([_arms(w, batch=1, seed=k) for k, w in enumerate(walks)])
    # Bones lost on some steps (a forearm out of view), and nobody at all on others.
    forearm = list(ARM_PICTURE_COLUMNS[2 * (LEFT_FOREARM - 1) : 2 * LEFT_FOREARM])
    x[..., forearm] *= (rng.random((300, 24)) >= 0.1)[..., None]
    x[rng.random((300, 24)) < 0.05, PRESENCE_INDEX] = 0.0
    gate = RepeatsGate([WAVE], 24)
    arms = x[..., list(ARM_PICTURE_COLUMNS)] * (x[..., PRESENCE_INDEX : PRESENCE_INDEX + 1] > 0)
    counted = np.asarray(gate.turns(gate.arm_path(arms)))
    expected = [len(turning_points(arm_path(w))) for w in x]
    assert len(set(expected)) >= 3  # the walks cover no turn, one and several
    np.testing.assert_array_equal(counted, expected)
    np.testing.assert_array_equal(_one_sweep(x), _reference(x))


def test_arms_lost_while_raised_are_held_not_turned():
    x = _arms(RAISED)
    x[:, 12:18, list(ARM_PICTURE_COLUMNS)] = 0.0  # held at their last seen directions
    x[:, 18:20, PRESENCE_INDEX] = 0.0  # nobody seen: held too
    assert _reference(x).tolist() == [True, True]
    assert _one_sweep(x).tolist() == [True, True]
    x[:, 0:3, list(ARM_PICTURE_COLUMNS)] = 0.0  # lost at the start: the first seen step stands in
    assert _reference(x).tolist() == _one_sweep(x).tolist() == [True, True]


def test_a_short_window_reads_as_its_first_step_held_before_it():
    from model.nets.repeats import RepeatsGate

    x = _arms(LOWERED_ONCE)[:, 4:22]  # 18 steps: from low, up, held and down again
    padded = np.concatenate([np.repeat(x[:, :1], 6, axis=1), x], axis=1)
    assert _reference(padded).tolist() == _one_sweep(x).tolist() == [True, True]
    gate = RepeatsGate([WAVE], 24)
    arms = x[..., list(ARM_PICTURE_COLUMNS)]
    np.testing.assert_allclose(gate.arm_path(arms), gate.arm_path(padded[..., list(ARM_PICTURE_COLUMNS)]), atol=1e-6)
    # Longer than the gate's window: the newest 24 steps decide (here the raise, once).
    longer = np.concatenate([_arms(FULL_SWEEPS)[:, :10], _arms(LOWERED_ONCE)], axis=1)
    assert _one_sweep(longer).tolist() == _reference(longer[:, -24:]).tolist() == [True, True]


def test_the_model_takes_the_wave_from_one_sweep_and_keeps_it_for_repeats(gated):
    from model.nets.cnn_lstm import GATED_HEAD
    from model.nets.networks import build_classifier, split_classifier

    model = build_classifier(gated)
    once, waving = _arms(LOWERED_ONCE), _arms(FROM_LOW_WAVING)
    assert (model.predict_on_batch(waving)[:, WAVE] > 0.01).all()
    shown = model.predict_on_batch(once)
    np.testing.assert_allclose(shown[:, WAVE], 0.0, atol=1e-7)
    # The rest keep the proportions the head before the gates gave them, and sum to 1.
    encoder, head = split_classifier(model)
    assert encoder.output.shape[-1] == 8 + 8 + 1 + 8  # each head's 8, legs seen, the arm bones
    emb = encoder.predict_on_batch(once.reshape(-1, FEATURES)).reshape(2, 24, -1)
    np.testing.assert_allclose(emb[..., -8:], once[..., list(ARM_PICTURE_COLUMNS)], atol=1e-6)
    before = head.get_layer(GATED_HEAD).predict_on_batch(emb[..., :16])
    rest = [k for k in range(len(LABELS)) if k != WAVE]
    np.testing.assert_allclose(shown.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(shown[:, rest], before[:, rest] / before[:, rest].sum(-1, keepdims=True), atol=1e-5)


def test_arms_of_nobody_are_zeros(gated):
    from model.nets.networks import build_classifier, split_classifier

    encoder, _ = split_classifier(build_classifier(gated))
    x = _arms(RAISED)[0]
    x[:, PRESENCE_INDEX] = 0.0
    np.testing.assert_array_equal(encoder.predict_on_batch(x)[:, -8:], 0.0)


def test_joined_heads_get_the_gate_and_it_loads_in_safe_mode_and_runs_on_litert(keras, gated, tmp_path):
    from model.nets.networks import build_classifier, join_heads, split_classifier

    assert gated.long_head_config().needs_repeats == () and gated.short_head_config().needs_repeats == ()
    joined = join_heads(build_classifier(gated.long_head_config()), build_classifier(gated.short_head_config()), gated)
    joined.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = np.concatenate([_arms(LOWERED_ONCE, batch=1), _arms(FULL_SWEEPS, batch=1)])
    shown = loaded.predict_on_batch(x)
    np.testing.assert_allclose(shown, joined.predict_on_batch(x), atol=1e-6)
    assert shown[0, WAVE] < 1e-7 < shown[1, WAVE]
    encoder, head = split_classifier(loaded)
    assert_head_runs_on_litert_as_on_keras(head, 25, (4, 16, 24), tmp_path)
    # On windows the gate has work in: arms lost on some steps, nobody at all, one sweep from low.
    from model.lite.convert import max_abs_difference

    lost = _arms(LOWERED_ONCE, batch=1)
    lost[:, 3:6, list(ARM_PICTURE_COLUMNS)] = 0.0
    nobody = lost.copy()
    nobody[..., PRESENCE_INDEX] = 0.0
    samples = [encoder.predict_on_batch(w[0])[None] for w in (lost, nobody, _arms(FULL_SWEEPS, batch=1))]
    assert head.predict_on_batch(samples[0])[0, WAVE] < 1e-7 < head.predict_on_batch(samples[2])[0, WAVE]
    assert max_abs_difference(tmp_path / "head.tflite", head, samples) < 1e-4
