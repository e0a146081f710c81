"""`RepeatsGate` on real landmarks: ud810-P2's quick side raise is one sweep and the shipped model
never shows it as a two-hand wave; real two-hand waves, from their second swing on, are repeats."""

from __future__ import annotations

import numpy as np
import pytest

from model.data.manifests import ClipRecord
from model.pose.features import ARM_PICTURE_COLUMNS, PRESENCE_INDEX
from tests.model.pose.conftest import pose_paths, pose_tracker  # noqa: F401 (fixtures)
from tests.paths import REPO, SHARED_DATA

pytestmark = [pytest.mark.slow, pytest.mark.shared]


def _windows(rel: str, label: str, tracker, config):
    """(eval windows (n, T, FEATURES), the step from which the clip is `label` by the definitions)."""
    from model.pose.track import track_clip
    from model.train.pose_data import PoseClip, eval_windows, plain_features
    from model.train.pose_definitions import clip_expectation

    path = SHARED_DATA / rel
    if not path.is_file():
        pytest.skip(f"{path} is missing: the real clips (../shared/data) are not on this machine")
    clip = PoseClip(ClipRecord(path=path, label=label, group="test"), track_clip(path, tracker))
    expected, step = clip_expectation(plain_features([clip], config)[0], label)
    return eval_windows([clip], config)[0], expected, step or 0


def _one_sweep(x, steps):
    from model.nets.repeats import RepeatsGate

    arms = x[..., list(ARM_PICTURE_COLUMNS)] * (x[..., PRESENCE_INDEX : PRESENCE_INDEX + 1] > 0)
    return np.asarray(RepeatsGate([0], steps).one_sweep(arms))


@pytest.fixture(scope="module")
def shipped():
    from model.bundle import load_config
    from model.bundle_files import load_keras_model

    folder = REPO / "assets" / "models" / "default"
    return load_config(folder), load_keras_model(folder / "classifier.keras")


def test_a_quick_side_raise_is_one_sweep_and_never_shown_as_a_wave(pose_tracker, shipped):  # noqa: F811
    config, model = shipped
    assert "wave_two_hands" in config.needs_repeats
    # Up in 0.4 s and down 1.7 s later: the shipped heads alone give it to the wave.
    x, expected, _ = _windows("actions/ud810/side_arm_raise/PS7A1P2T2.avi", "side_arm_raise", pose_tracker, config)
    assert expected == "side_arm_raise" and len(x) >= 3
    assert _one_sweep(x, config.frames).all()
    probs = model.predict_on_batch(x)
    np.testing.assert_allclose(probs[:, config.labels.index("wave_two_hands")], 0.0, atol=1e-6)
    shown = [config.labels[k] for k in probs.argmax(-1)]
    assert shown.count("side_arm_raise") > len(shown) / 2, shown


@pytest.mark.parametrize("rel", ["extra/kard/kard_a03_s01_e01.mp4", "actions/weizmann4/wave_two_hands/weizmann_wave_two_hands_000.avi"])
def test_two_hand_waves_from_their_second_swing_on_are_mostly_repeats(pose_tracker, shipped, rel):  # noqa: F811
    config, _ = shipped
    x, expected, step = _windows(rel, "wave_two_hands", pose_tracker, config)
    assert expected == "wave_two_hands"
    # A window is scored once its newest step is past the second swing (as on screen).
    newest = np.arange(len(x)) * 2 + config.frames - config.still_start - 1
    waving = _one_sweep(x, config.frames)[newest >= step]
    assert len(waving) >= 3 and waving.mean() < 0.5, waving
