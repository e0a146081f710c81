"""Windows labelled by the definitions: one sweep is a raise, repeated sweeps a wave (pose_definitions.py)."""

from __future__ import annotations

import numpy as np
import pytest

from model.pose.features import (
    FEATURE_DIM,
    LEFT_FOREARM,
    LEFT_UPPER_ARM,
    NUM_BONES,
    RIGHT_FOREARM,
    RIGHT_UPPER_ARM,
    TORSO,
)
from model.train.head import cut_windows
from model.train.pose_definitions import (
    RAISE_LABEL,
    WAVE_LABEL,
    arm_elevation,
    find_sweeps,
    lowered_once,
    wave_window_labels,
    with_elbow_at,
    with_standing_legs,
)
from model.train.pose_legs import LEG_COLUMNS
from tests.model.train.test_pose_legs import frames
from tests.paths import SHARED_DATA


def arms_at(elevation: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM): a standing person whose arms point at `elevation` (-1 down, +1 up) in the picture."""
    x = frames(len(elevation), "still")
    e = np.clip(np.asarray(elevation, np.float32), -1, 1)
    for bone in (LEFT_UPPER_ARM, LEFT_FOREARM, RIGHT_UPPER_ARM, RIGHT_FOREARM):
        x[:, 2 * bone] = np.sqrt(1 - e**2)
        x[:, 2 * bone + 1] = -e
    return x


def ramp(a: float, b: float, n: int) -> np.ndarray:
    return np.linspace(a, b, n, endpoint=False)


REST = np.full(10, -0.95)
RISE = ramp(-0.95, 0.9, 6)
ARC = np.concatenate([ramp(0.9, 0.1, 3), ramp(0.1, 0.9, 3)])  # one dip to shoulder height and back up
FALL = ramp(0.9, -0.95, 6)


def test_arm_elevation_reads_the_picture_arms_and_skips_unseen_ones():
    x = arms_at([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(arm_elevation(x), [-1.0, 0.0, 1.0], atol=1e-6)
    x[1, 2 * LEFT_UPPER_ARM : 2 * LEFT_UPPER_ARM + 2] = 0.0  # one arm bone unseen: the mean of the rest
    assert abs(arm_elevation(x)[1]) < 1e-6
    nobody = np.zeros((1, FEATURE_DIM), np.float32)
    assert np.isnan(arm_elevation(nobody)).all()


def test_a_whole_two_hand_wave_starts_with_a_side_raise_and_its_fall_teaches_nothing():
    x = arms_at(np.concatenate([REST, RISE, ARC, ARC, ARC, FALL, REST]))
    sweeps = find_sweeps(x)
    assert sweeps.onset is not None and sweeps.top is not None and sweeps.second is not None
    # The arms leave the sides early in the rise, reach the top at its end.
    assert len(REST) <= sweeps.onset <= len(REST) + 3 < sweeps.top < sweeps.second < sweeps.fall
    labels = wave_window_labels(x, 8, 1)
    assert len(labels) == len(cut_windows(x, 8, 1))
    ends = [start + 8 for start in range(len(labels))]
    # Windows that end in the first rise are a side arm raise; once the second swing is in, a wave.
    raises = [e for e, label in zip(ends, labels, strict=True) if label == RAISE_LABEL]
    waves = [e for e, label in zip(ends, labels, strict=True) if label == WAVE_LABEL]
    assert raises and waves and max(raises) < min(waves)
    assert min(raises) > sweeps.onset and max(raises) <= sweeps.second
    # Windows that reach into the final fall teach neither.
    assert all(label is None for e, label in zip(ends, labels, strict=True) if e > sweeps.fall + 1)
    assert max(waves) <= sweeps.fall + 1


def test_one_raise_held_overhead_or_lowered_once_is_never_a_wave():
    held = arms_at(np.concatenate([REST, RISE, np.full(12, 0.9)]))
    lowered = arms_at(np.concatenate([REST, RISE, np.full(4, 0.9), FALL, REST]))
    for x in (held, lowered):
        assert find_sweeps(x).second is None
        assert WAVE_LABEL not in wave_window_labels(x, 8, 2)
    assert RAISE_LABEL in wave_window_labels(held, 8, 2)


def test_a_clip_cut_mid_wave_is_a_wave_until_its_arms_come_down():
    x = arms_at(np.concatenate([ARC, ARC, ARC, ARC, FALL, REST]))
    sweeps = find_sweeps(x)
    assert sweeps.onset is None
    labels = wave_window_labels(x, 8, 1)
    assert RAISE_LABEL not in labels
    assert labels[0] == WAVE_LABEL and labels[-1] is None


def test_jacks_over_standing_legs_get_the_same_standing_legs_on_every_step_with_a_person():
    jacks = frames(6, "swing")
    jacks[2] = 0.0  # nobody at step 2
    donor = frames(1, "still")
    donor[0, LEG_COLUMNS] += 0.2
    out = with_standing_legs(jacks, donor, np.random.default_rng(0))
    np.testing.assert_allclose(out[[0, 1, 3, 4, 5]][:, LEG_COLUMNS],
                               np.repeat(donor[:, LEG_COLUMNS], 5, 0), atol=0.15)
    np.testing.assert_array_equal(out[2], jacks[2])
    rest = np.setdiff1d(np.arange(FEATURE_DIM), LEG_COLUMNS)
    np.testing.assert_array_equal(out[:, rest], jacks[:, rest])


def _real_features(name: str) -> np.ndarray:
    """A real clip of ../shared/data as features at 10 fps (BlazePose once, then the pose cache)."""
    from model.data.clip_cache import default_cache_dir
    from model.data.manifests import load_records
    from model.pose.fetch import cached_pose_models
    from model.pose.track import track_clip
    from model.pose.tracker import PoseTracker
    from model.train.pose_augment import SkeletonAugment, view_features

    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is missing: the real clips are not on this machine")
    models = cached_pose_models()
    if models is None:
        pytest.skip("the BlazePose models are not fetched yet (actionlens fetch-pose)")
    rec = next(r for d in ("actions", "extra") for r in load_records(SHARED_DATA / d, 1) if r.path.name == name)
    track = track_clip(rec.path, PoseTracker.from_files(models), default_cache_dir())
    return view_features(track, 10.0, None, SkeletonAugment(), False)


@pytest.mark.shared
@pytest.mark.slow
def test_on_real_clips_kards_wave_rises_then_waves_and_ud810s_raise_is_one_sweep():
    wave = wave_window_labels(_real_features("kard_a03_s01_e01.mp4"), 16, 2)
    assert RAISE_LABEL in wave and WAVE_LABEL in wave
    assert wave.index(RAISE_LABEL) < wave.index(WAVE_LABEL)
    one = _real_features("PS7A1P1T1.avi")  # ud810's side arm raise: hips to overhead, held
    assert find_sweeps(one).second is None
    assert WAVE_LABEL not in wave_window_labels(one, 16, 2)


def test_training_windows_follow_the_definitions(monkeypatch):
    from pathlib import Path

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows

    wave = arms_at(np.concatenate([REST, RISE, ARC, ARC, ARC, FALL, REST]))
    jacks = frames(40, "swing")
    jacks[:, 2:10] = arms_at(0.5 + 0.4 * np.sin(np.arange(40)))[:, 2:10]
    standing = frames(40, "still")
    standing[:, NUM_BONES * 2 + 3 * TORSO + 1] = -1.0  # world torso up: at rest, a donor of standing legs
    by_track = {"wave": wave, "jacks": jacks, "stand": standing}
    # The views are the clips as they are: what is tested is how their windows are labelled.
    monkeypatch.setattr(pose_data, "view_features", lambda track, *a, **k: by_track[track])
    clips = [PoseClip(ClipRecord(Path(f"{name}.mp4"), label, f"{name}-p1", name), name)
             for name, label in (("wave", WAVE_LABEL), ("jacks", "jumping_jack"), ("stand", "idle"))]
    config = ModelConfig(labels=("idle", "jumping_jack", RAISE_LABEL, WAVE_LABEL), frames=8)
    x, y, w = training_windows(clips, config, views=6, stride=1, aug=SkeletonAugment(jacks_as_waves=1.0),
                               rng=np.random.default_rng(0), idle_share=0.0)
    names = [config.labels[k] for k in y]
    assert len(x) == len(y) == len(w)
    # The wave clip's first rise teaches the side raise, its waving the wave, its still ends idle.
    assert names.count(RAISE_LABEL) > 0 and names.count(WAVE_LABEL) > 0 and names.count("idle") > 0
    # Every augmented view of the jacks also teaches a wave with standing legs: the same arms,
    # legs that do not move, weighed as one source (together as much as the real waves).
    waves = np.array([n == WAVE_LABEL for n in names])
    legs = np.abs(np.diff(x[:, :, LEG_COLUMNS], axis=1)).max(axis=(1, 2))
    first = np.abs(x[:, :, 2:10] - jacks[None, :8, 2:10]).max(axis=(1, 2)) < 1e-5  # the jacks' first window
    assert (waves & first).sum() == 5  # one per augmented view
    assert (legs[waves & first] < 0.2).all() and (legs[~waves & first] > 0.3).all()
    # The real wave's legs are exactly still; the borrowed ones carry a little jitter.
    jack_waves = waves & (legs > 0) & (legs < 0.2)
    assert jack_waves.sum() == 5 * (len(jacks) - 8 + 1)
    assert abs(w[jack_waves].sum() - w[waves & ~jack_waves].sum()) < 1e-3 * w.sum()
    # Without a standing person to lend legs, no jack is taught as a wave (its legs jump).
    by_track["stand"] = frames(40, "still")
    _, y2, _ = training_windows(clips, config, views=6, stride=1, aug=SkeletonAugment(jacks_as_waves=1.0),
                                rng=np.random.default_rng(0), idle_share=0.0)
    assert (y2 == config.labels.index(WAVE_LABEL)).sum() == names.count(WAVE_LABEL) - jack_waves.sum()


def test_a_wave_clip_is_scored_by_the_definitions():
    from pathlib import Path

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.eval.open_set import on_screen_report
    from model.train.pose_definitions import clip_expectation

    one_sweep = arms_at(np.concatenate([REST, RISE, np.full(4, 0.9), FALL, REST]))
    waving = arms_at(np.concatenate([REST, RISE, ARC, ARC, ARC, FALL, REST]))
    assert clip_expectation(one_sweep, WAVE_LABEL) == (RAISE_LABEL, 0)
    label, step = clip_expectation(waving, WAVE_LABEL)
    assert label == WAVE_LABEL and step == find_sweeps(waving).second
    assert clip_expectation(waving, "bend") == ("bend", 0)
    config = ModelConfig(labels=("idle", "other", RAISE_LABEL, WAVE_LABEL), background_label="other")
    rec = ClipRecord(Path("w.mp4"), WAVE_LABEL, "g")
    # The rise shown as a raise for 6 frames, then the wave for 4: as labelled it is a raise shown
    # longest; by the definitions the wave is scored from its second swing, and is named.
    shown = [[RAISE_LABEL] * 6 + [WAVE_LABEL] * 4]
    assert on_screen_report(shown, [rec], config)["known_clip_accuracy"] == 0.0
    report = on_screen_report(shown, [rec], config, expected=[(WAVE_LABEL, 6)])
    assert report["known_clip_accuracy"] == 1.0
    assert report["clips"][0]["manifest_label"] == WAVE_LABEL and report["clips"][0]["scored_from_frame"] == 6
    # A wave clip of one sweep is a side raise, and scored as one.
    assert on_screen_report([[RAISE_LABEL] * 5], [rec], config, expected=[(RAISE_LABEL, 0)])["known_clip_accuracy"] == 1.0


def test_a_raise_held_overhead_is_lowered_the_way_it_rose():
    held = arms_at(np.concatenate([REST, RISE, np.full(4, 0.9)]))
    lowered = lowered_once(held)
    assert len(lowered) == 2 * len(held) - 1
    e = arm_elevation(lowered)
    assert e[0] < -0.9 and e[len(held) - 1] > 0.85 and e[-1] < -0.9  # rest, overhead, rest again
    sweeps = find_sweeps(lowered)
    assert sweeps.second is None and sweeps.fall is not None  # still one sweep: a raise
    down = arms_at(np.concatenate([REST, RISE, FALL, REST]))
    assert lowered_once(down) is down  # already lowered: nothing added



def test_a_reach_is_the_waves_own_rise_held_and_lowered_with_no_swing():
    import numpy as np

    from model.pose.features import LEFT_FOREARM, LEFT_UPPER_ARM, RIGHT_FOREARM, RIGHT_UPPER_ARM
    from model.train.pose_definitions import raised_hand, reached_once
    from tests.model.train.test_pose_legs import frames

    x = frames(10, "still")  # arms hanging
    for bone in (RIGHT_UPPER_ARM, RIGHT_FOREARM, LEFT_UPPER_ARM, LEFT_FOREARM):
        x[:, 2 * bone : 2 * bone + 2] = (0.0, 1.0)
    x[:, 0] = np.arange(10)  # each step tells which it is
    # Steps 3..9: the left hand up and swinging side to side.
    for t in range(3, 10):
        x[t, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] = (0.4 if t % 2 else -0.4, -0.9)
    assert raised_hand(x).tolist() == [False] * 3 + [True] * 7
    reach = reached_once(x, hold=4)
    # Up to the first raised step, held there, then down the same way: no swing in it.
    np.testing.assert_array_equal(reach[:, 0], [0, 1, 2, 3, 3, 3, 3, 3, 3, 2, 1, 0])
    assert raised_hand(reach).sum() == 6 and len({tuple(f) for f in reach[raised_hand(reach)]}) == 1
    # A clip that starts with the hand up has no rise of its own to give.
    assert reached_once(x[3:], hold=4) is None


def test_jacks_over_standing_legs_begin_with_a_raise_when_they_start_at_rest(monkeypatch):
    from pathlib import Path

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import JACKS_SOURCE, PoseClip, training_windows

    jacks = frames(40, "swing")
    arms = np.concatenate([REST, RISE, ARC, ARC, ARC, ARC])
    jacks[:, 2:10] = arms_at(arms)[:, 2:10]
    standing = frames(40, "still")
    standing[:, NUM_BONES * 2 + 3 * TORSO + 1] = -1.0
    by_track = {"jacks": jacks, "stand": standing}
    monkeypatch.setattr(pose_data, "view_features", lambda track, *a, **k: by_track[track])
    seen = []
    real = pose_data.balance_weights
    monkeypatch.setattr(pose_data, "balance_weights", lambda keys, *a, **k: seen.extend(keys) or real(keys, *a, **k))
    clips = [PoseClip(ClipRecord(Path(f"{n}.mp4"), label, f"{n}-p1", n), n)
             for n, label in (("jacks", "jumping_jack"), ("stand", "idle"))]
    config = ModelConfig(labels=("idle", "jumping_jack", RAISE_LABEL, WAVE_LABEL), frames=8)
    training_windows(clips, config, views=3, stride=1, aug=SkeletonAugment(jacks_as_waves=1.0),
                     rng=np.random.default_rng(0), idle_share=0.0)
    stood = [label for label, source in seen if source == JACKS_SOURCE]
    # By the definitions, as for a wave clip: the first rise from rest is one sweep (a side arm
    # raise), the later sweeps over standing legs a wave; nothing is a jumping jack.
    assert len(stood) % 2 == 0 and stood[: len(stood) // 2] == stood[len(stood) // 2 :]  # two views alike
    one_view = stood[: len(stood) // 2]
    assert set(one_view) == {RAISE_LABEL, WAVE_LABEL}  # the steps at rest before the rise teach nothing here
    last_raise = max(k for k, label in enumerate(one_view) if label == RAISE_LABEL)
    assert last_raise < min(k for k, label in enumerate(one_view) if label == WAVE_LABEL)
    assert one_view.count(WAVE_LABEL) > one_view.count(RAISE_LABEL) > 0


def test_a_waves_elbow_is_turned_and_its_forearm_swing_kept():
    from model.pose.features import split_features

    t = 12
    x = arms_at(np.full(t, -0.95))  # at rest for the first steps
    picture, world = split_features(x)
    waving = slice(4, t)
    picture[waving, LEFT_UPPER_ARM] = (np.sqrt(0.5), -np.sqrt(0.5))  # the elbow up at 45 degrees
    world[waving, LEFT_UPPER_ARM] = (np.sqrt(0.5), -np.sqrt(0.5), 0.0)
    swing = 0.5 * np.sin(np.arange(t - 4))
    picture[waving, LEFT_FOREARM] = np.stack([np.sin(swing), -np.cos(swing)], -1)  # up, swinging
    out = with_elbow_at(x, np.deg2rad(-30.0))  # a hello: the elbow low
    new_picture, new_world = split_features(out)
    # Up at 45 degrees, turned to 30 below level, on the same side; in the world too.
    np.testing.assert_allclose(new_picture[waving, LEFT_UPPER_ARM],
                               np.tile([np.cos(np.deg2rad(30)), np.sin(np.deg2rad(30))], (t - 4, 1)), atol=1e-5)
    np.testing.assert_allclose(new_world[waving, LEFT_UPPER_ARM, :2], new_picture[waving, LEFT_UPPER_ARM], atol=1e-5)
    # The swing, the other arm and the steps at rest are as they were.
    np.testing.assert_array_equal(new_picture[:, LEFT_FOREARM], picture[:, LEFT_FOREARM])
    np.testing.assert_array_equal(new_picture[:, RIGHT_UPPER_ARM], picture[:, RIGHT_UPPER_ARM])
    np.testing.assert_array_equal(out[:3], x[:3])
    assert np.shares_memory(out, x) is False



def test_a_jacks_arms_without_legs_have_every_leg_column_unseen():
    from model.train.pose_definitions import without_legs
    from model.train.pose_legs import legs_seen

    jacks = frames(6, "swing")
    out = without_legs(jacks)
    assert not legs_seen(out).any()
    np.testing.assert_array_equal(out[:, LEG_COLUMNS], 0.0)
    rest = np.setdiff1d(np.arange(FEATURE_DIM), LEG_COLUMNS)
    np.testing.assert_array_equal(out[:, rest], jacks[:, rest])
    assert legs_seen(jacks).all()  # the view it came from is unchanged


def test_a_jacks_arms_with_no_legs_seen_teach_a_wave_and_every_jack_shows_its_legs(monkeypatch):
    from pathlib import Path

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows
    from model.train.pose_legs import legs_seen

    jacks = frames(40, "swing")
    jacks[:, 2:10] = arms_at(0.5 + 0.4 * np.sin(np.arange(40)))[:, 2:10]
    standing = frames(40, "still")
    standing[:, NUM_BONES * 2 + 3 * TORSO + 1] = -1.0
    by_track = {"jacks": jacks, "stand": standing}
    monkeypatch.setattr(pose_data, "view_features", lambda track, *a, **k: by_track[track])
    clips = [PoseClip(ClipRecord(Path(f"{n}.mp4"), label, f"{n}-p1", n), n)
             for n, label in (("jacks", "jumping_jack"), ("stand", "idle"))]
    config = ModelConfig(labels=("idle", "jumping_jack", RAISE_LABEL, WAVE_LABEL), frames=8)
    x, y, _ = training_windows(clips, config, views=6, stride=1,
                               aug=SkeletonAugment(jacks_as_waves=1.0, jacks_unseen_legs=1.0),
                               rng=np.random.default_rng(0), idle_share=0.0)
    legless = np.array([not legs_seen(win).any() for win in x])
    waves = y == config.labels.index(WAVE_LABEL)
    first = np.abs(x[:, :, 2:10] - jacks[None, :8, 2:10]).max(axis=(1, 2)) < 1e-5
    assert (waves & first & legless).sum() == 5  # one per augmented view, none with standing legs
    assert (waves == legless).all()
    # A jack is taught only where its legs are seen: with none, the sweeps are all there is.
    assert all(legs_seen(win).all() for win in x[y == config.labels.index("jumping_jack")])
