"""A one-hand wave turned into a sweep across the body at shoulder height (pose_sweeps.py)."""

from __future__ import annotations

import numpy as np

from model.pose.features import (
    HANDS,
    LEFT_FOREARM,
    LEFT_UPPER_ARM,
    RIGHT_FOREARM,
    RIGHT_UPPER_ARM,
    split_features,
)
from model.train.pose_sweeps import (
    FOREARM_ACROSS,
    FOREARM_OUT,
    ONCE_HELD_S,
    ONCE_SWEEP_S,
    ONCE_WAIT_S,
    swept_across,
    swept_once,
)
from tests.model.train.test_pose_legs import frames


def _angle(v: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(v[..., 0], -v[..., 1]))


def a_left_hand_wave(t: int = 40, rest: int = 8) -> np.ndarray:
    """(t, FEATURE_DIM): at rest (the left arm hanging on the picture's right), then the left forearm
    up and swinging 30 degrees either way about a raised elbow, then down again."""
    x = frames(t, "still")
    picture, world = split_features(x)
    picture[:, [LEFT_UPPER_ARM, LEFT_FOREARM, HANDS[0]]] = (0.25, 0.97)  # hanging, a little out
    picture[:, [RIGHT_UPPER_ARM, RIGHT_FOREARM]] = (-0.25, 0.97)
    up = slice(rest, t - rest)
    swing = np.deg2rad(30.0) * np.sin(np.arange(t - 2 * rest))
    picture[up, LEFT_UPPER_ARM] = (0.9, -0.44)
    picture[up, LEFT_FOREARM] = np.stack([np.sin(swing), -np.cos(swing)], -1)
    picture[up, HANDS[0]] = picture[up, LEFT_FOREARM]
    world[..., :2] = picture
    return x


def test_a_wave_sweeps_across_the_body_and_out_while_raised():
    x = a_left_hand_wave()
    out = swept_across(x, 10.0, np.random.default_rng(0))
    picture, world = split_features(out)
    fore = _angle(picture[8:32, LEFT_FOREARM])
    # Out to its own side (the picture's right for a left arm facing the camera) and across,
    # both ends reached, far wider than the 30 degree swing it came from.
    assert fore.max() > FOREARM_OUT - 20 and fore.min() < FOREARM_ACROSS + 20
    assert fore.max() - fore.min() > 80
    # The upper arm turns about the shoulder with it: out sideways when the hand is out.
    upper = _angle(picture[8:32, LEFT_UPPER_ARM])
    assert upper[np.argmax(fore)] > 60
    # The world directions stay unit vectors and lean towards the camera (negative z).
    np.testing.assert_allclose(np.linalg.norm(world[8:32, LEFT_FOREARM], axis=-1), 1.0, atol=1e-5)
    assert (world[8:32, LEFT_FOREARM, 2] < -0.3).all()
    # The hand goes with the forearm.
    np.testing.assert_allclose(picture[8:32, HANDS[0]], picture[8:32, LEFT_FOREARM], atol=1e-5)


def test_the_rest_and_the_other_arm_are_kept():
    x = a_left_hand_wave()
    out = swept_across(x, 10.0, np.random.default_rng(1))
    np.testing.assert_array_equal(out[:8], x[:8])
    np.testing.assert_array_equal(out[-8:], x[-8:])
    for bone in (RIGHT_UPPER_ARM, RIGHT_FOREARM):
        np.testing.assert_array_equal(split_features(out)[0][:, bone], split_features(x)[0][:, bone])
    assert not np.shares_memory(out, x)


def test_a_mirrored_wave_sweeps_to_its_own_side():
    from model.pose.features import mirror_features

    x = mirror_features(a_left_hand_wave())  # now the right arm waves, on the picture's left
    out = swept_across(x, 10.0, np.random.default_rng(0))
    fore = _angle(split_features(out)[0][8:32, RIGHT_FOREARM])
    assert fore.min() < -(FOREARM_OUT - 20) and fore.max() > -(FOREARM_ACROSS + 20)


def test_a_clip_that_never_raises_a_hand_is_left_as_it_is():
    x = frames(20, "still")
    np.testing.assert_array_equal(swept_across(x, 10.0, np.random.default_rng(0)), x)


def test_a_wave_swept_once_rises_across_sweeps_out_and_falls():
    x = a_left_hand_wave(t=60, rest=8)  # raised on steps 8 to 51, 4.4 s at 10 steps a second
    for seed in range(5):
        out = swept_once(x, 10.0, np.random.default_rng(seed))
        # The same draws, in the same order, say where the raised middle is cut: the clip up to the
        # end of the hold, then straight on from the last raised step, no step twice, none lost.
        rng = np.random.default_rng(seed)
        wait, sweep, held = (int(round(rng.uniform(*r) * 10.0)) for r in (ONCE_WAIT_S, ONCE_SWEEP_S, ONCE_HELD_S))
        cut, last = 8 + wait + max(2, sweep) + held, 51
        assert len(out) == cut + len(x) - last
        # What the sweep leaves alone (the other arm, presence) is the clip's own, step for step.
        changed = [c for c in range(x.shape[1])
                   if not np.array_equal(out[:, c], np.concatenate([x[:cut, c], x[last:, c]]))]
        assert changed and set(changed) <= set(_left_arm_columns())
        # Across the body while it waits, out to its own side from the sweep's end until the cut.
        fore = _angle(split_features(out)[0][:, LEFT_FOREARM])
        assert (fore[8 : 8 + wait + 1] < FOREARM_ACROSS + 20).all()
        assert (fore[8 + wait + max(2, sweep) : cut] > FOREARM_OUT - 20).all()
    np.testing.assert_array_equal(out[:8], x[:8])  # the rest before, bit for bit
    np.testing.assert_array_equal(out[-8:], x[-8:])  # and after: the fall is the clip's own
    fore = _angle(split_features(out)[0][8:-8, LEFT_FOREARM])
    # One sweep: across the body first, out to its own side last, never back across.
    assert fore[0] < FOREARM_ACROSS + 20 and fore[-1] > FOREARM_OUT - 20
    assert (np.diff(fore) > -1e-3).all()


def _left_arm_columns() -> list[int]:
    """Feature columns of the left upper arm, forearm and hand, picture and world."""
    from model.pose.features import FEATURE_DIM

    marked = np.zeros(FEATURE_DIM, np.float32)
    for part in split_features(marked):  # views into `marked`, bone by bone
        part[[LEFT_UPPER_ARM, LEFT_FOREARM, HANDS[0]]] = 1.0
    return np.flatnonzero(marked).tolist()


def test_a_clip_never_raised_is_not_swept_once():
    x = frames(20, "still")
    np.testing.assert_array_equal(swept_once(x, 10.0, np.random.default_rng(0)), x)


def test_training_views_of_a_one_hand_wave_are_swept(monkeypatch):
    from pathlib import Path

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows

    wave = a_left_hand_wave()
    monkeypatch.setattr(pose_data, "view_features", lambda track, *a, **k: wave)
    clips = [PoseClip(ClipRecord(Path("wave.mp4"), "wave_one_hand", "p1", "src"), "wave")]
    config = ModelConfig(labels=("idle", "other", "wave_one_hand"), frames=8)
    widths = {}
    for share in (0.0, 1.0):
        aug = SkeletonAugment(sweep_across=share, reaches=0.0, lend_legs=0.0)
        x, y, _ = training_windows(clips, config, views=4, stride=1, aug=aug, rng=np.random.default_rng(0),
                                   idle_share=0.0)
        fore = split_features(x[y == config.labels.index("wave_one_hand")])[0][:, :, LEFT_FOREARM]
        raised = _angle(fore[fore[..., 1] < -0.3])  # the rise from rest and the fall left aside
        widths[share] = np.ptp(raised)
    # The clip's own swing is 60 degrees; swept, the hand goes from across the body to its own side.
    assert widths[0.0] < 70 and widths[1.0] > 80


def test_training_views_swept_once_are_the_clip_with_its_raised_middle_cut(monkeypatch):
    from pathlib import Path

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows

    wave = a_left_hand_wave(t=60)
    monkeypatch.setattr(pose_data, "view_features", lambda track, *a, **k: wave)
    clips = [PoseClip(ClipRecord(Path("wave.mp4"), "wave_one_hand", "p1", "src"), "wave")]
    config = ModelConfig(labels=("idle", "other", "wave_one_hand"), frames=8)
    counts = {}
    for once in (0.0, 1.0):
        aug = SkeletonAugment(sweep_across=1.0, sweep_once=once, reaches=0.0, lend_legs=0.0)
        _, y, _ = training_windows(clips, config, views=4, stride=1, aug=aug, rng=np.random.default_rng(0),
                                   idle_share=0.0)
        counts[once] = int((y == config.labels.index("wave_one_hand")).sum())
    # Three augmented views and the clip itself: swept once, each augmented view loses at least
    # 44 - 23 raised steps (at most 2.8 s of the 4.4 s raised are kept), so 3 * 21 windows fewer.
    assert counts[0.0] - counts[1.0] >= 3 * 21
