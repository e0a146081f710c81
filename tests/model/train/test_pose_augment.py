"""Skeleton augmentation: bones the tracker loses for a moment."""

from __future__ import annotations

import numpy as np

from model.pose.features import NUM_BONES, PRESENCE_INDEX, split_features
from model.pose.track import PoseTrack
from model.train.pose_augment import LOST_STEPS, SkeletonAugment, lost_briefly, view_features


def test_bones_are_lost_for_one_short_span_often_at_the_start():
    rng = np.random.default_rng(0)
    starts, counts = [], []
    for _ in range(300):
        lost = lost_briefly(20, rng)
        steps = np.flatnonzero(lost.any(1))
        if not len(steps):  # every bone kept by chance: (1/2)^11
            continue
        assert 1 <= len(steps) <= LOST_STEPS and (np.diff(steps) == 1).all()  # one span
        assert (lost[steps] == lost[steps[0]]).all()  # the same bones for the whole moment
        starts.append(steps[0])
        counts.append(lost[steps[0]].sum())
    at_start = np.mean(np.array(starts) == 0)
    assert 0.4 < at_start < 0.7  # half at the start, a few more by chance
    assert abs(np.mean(counts) - NUM_BONES / 2) < 1.0  # each bone with even chance
    assert lost_briefly(0, rng).shape == (0, NUM_BONES)


def _standing_track(frames: int = 20) -> PoseTrack:
    """A person whose 33 landmarks are all seen, jittering a little, at 10 fps."""
    rng = np.random.default_rng(1)
    base = rng.uniform(100, 300, (33, 3))
    image = base[None] + rng.normal(0, 2, (frames, 33, 3))
    world = (base[None] - 200) / 200 + rng.normal(0, 0.01, (frames, 33, 3))
    return PoseTrack(np.arange(frames) / 10.0, np.ones(frames, bool), image.astype(np.float32),
                     np.ones((frames, 33), np.float32), world.astype(np.float32),
                     np.full(frames, 100.0, np.float32), (640, 480))


def _seen(features: np.ndarray) -> np.ndarray:
    """(t, FEATURE_DIM) -> (t, NUM_BONES): the bones seen in the picture."""
    flat, _ = split_features(features)
    return np.abs(flat).sum(-1) > 0


def test_a_view_loses_bones_for_a_moment_only_when_asked():
    track = _standing_track()
    plain = dict(speed=1.0, drop_bone=0.0, drop_legs=0.0)
    kept = view_features(track, 10.0, np.random.default_rng(0), SkeletonAugment(lose_briefly=0.0, **plain), False)
    assert _seen(kept).all()
    lost_views = 0
    for seed in range(20):
        view = view_features(track, 10.0, np.random.default_rng(seed), SkeletonAugment(lose_briefly=1.0, **plain), False)
        unseen = ~_seen(view)
        steps = np.flatnonzero(unseen.any(1))
        assert len(steps) <= LOST_STEPS and (view[:, PRESENCE_INDEX] == 1).all()  # the person stays
        lost_views += bool(len(steps))
    assert lost_views >= 18


def test_a_jacks_legs_flicker_only_when_asked_and_only_for_a_label_told_by_its_legs():
    from model.pose.features import LEGS
    from model.train.pose_augment import LEGS_SEEN_SHARE, legs_flickering

    share = [legs_flickering(200, np.random.default_rng(seed)).mean() for seed in range(20)]
    assert LEGS_SEEN_SHARE[0] - 0.1 < min(share) and max(share) < LEGS_SEEN_SHARE[1] + 0.1
    track = _standing_track(40)
    plain = dict(speed=1.0, drop_bone=0.0, drop_legs=0.0, lose_briefly=0.0)
    asked = SkeletonAugment(flicker_legs=1.0, **plain)
    for keep_legs in (False, True):
        view = view_features(track, 10.0, np.random.default_rng(3), asked, False, keep_legs=keep_legs)
        seen = _seen(view)
        others = [b for b in range(NUM_BONES) if b not in LEGS]
        assert seen[:, others].all()  # the arms, torso and hands are always there
        legs = seen[:, list(LEGS)]
        assert (legs == legs[:, :1]).all()  # all four leg bones come and go together
        if keep_legs:
            assert 0 < legs[:, 0].mean() < 1  # seen on some steps, not all
        else:
            assert legs.all()
    off = view_features(track, 10.0, np.random.default_rng(3), SkeletonAugment(flicker_legs=0.0, **plain), False,
                        keep_legs=True)
    assert _seen(off).all()
