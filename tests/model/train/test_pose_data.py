"""Pose training windows: their labels, sources, weights and still starts."""

from __future__ import annotations

from tests.model.train.test_pose_legs import frames


def test_the_background_class_can_weigh_as_several_classes():
    from model.train.pose_data import balance_weights

    keys = [("wave", "a")] * 3 + [("wave", "b")] + [("other", "c")] * 4
    index = {"wave": 0, "other": 1}
    even = balance_weights(keys, 2, index)
    # Each class sums to the same, each source within it too; mean weight 1.
    assert abs(even[:3].sum() - even[3]) < 1e-6 and abs(even[:4].sum() - even[4:].sum()) < 1e-6
    assert abs(even.mean() - 1.0) < 1e-6
    heavy = balance_weights(keys, 2, index, boost={"other": 2.5})
    assert abs(heavy[4:].sum() / heavy[:4].sum() - 2.5) < 1e-5
    assert abs(heavy.mean() - 1.0) < 1e-6


def test_a_source_with_more_windows_can_have_more_say_within_its_label():
    from model.train.pose_data import balance_weights

    keys = [("other", "kard")] * 16 + [("other", "one clip")] * 4 + [("wave", "a")] * 5
    index = {"wave": 0, "other": 1}
    same = balance_weights(keys, 2, index)
    roots = balance_weights(keys, 2, index, source_power={"other": 0.5})
    every = balance_weights(keys, 2, index, source_power={"other": 1.0, "wave": 0.5})
    # 0: each source of `other` sums to the same; 0.5: as the root of its windows (4 to 2);
    # 1: each window weighs the same within its label.
    assert abs(same[:16].sum() - same[16:20].sum()) < 1e-5
    assert abs(roots[:16].sum() / roots[16:20].sum() - 2.0) < 1e-5
    assert abs(every[0] - every[16]) < 1e-6
    # Whatever the power, the classes still sum to the same.
    for w in (same, roots, every):
        assert abs(w[:20].sum() - w[20:].sum()) < 1e-4 and abs(w.mean() - 1.0) < 1e-6


def test_a_source_gives_at_most_max_per_source_windows_of_a_label_and_weighs_the_same():
    from pathlib import Path

    import numpy as np

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows
    from tests.model.train.test_pose_legs import frames

    swing = frames(60, "swing")
    swing[:, 2:10] = np.tile([1.0, 0.0], 4)  # arms out sideways: not at rest
    feats = {"big": swing, "small": swing[:20]}
    clips = [PoseClip(ClipRecord(Path(f"{name}{k}.mp4"), "other", f"{name}-{k}", name), name)
             for name, n in (("big", 6), ("small", 1)) for k in range(n)]
    clips.append(PoseClip(ClipRecord(Path("w.mp4"), "wave", "w-1", "w"), "small"))
    config = ModelConfig(labels=("idle", "other", "wave"), frames=8, background_label="other")
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pose_data, "view_features", lambda track, *a, **k: feats[track])
        args = dict(views=2, stride=1, aug=SkeletonAugment(), idle_share=0.0)
        x_all, y_all, _ = training_windows(clips, config, rng=np.random.default_rng(0), **args)
        x, y, w = training_windows(clips, config, rng=np.random.default_rng(0), max_per_source=50, **args)
    # big: 6 clips x 2 views x 53 windows, cut to 50; small: 2 x 13 = 26 kept whole.
    assert (y_all == 1).sum() == 6 * 2 * 53 + 26 and (y == 1).sum() == 50 + 26
    assert (y == 2).sum() == (y_all == 2).sum() == 26
    # Each source of a class still weighs the same (the order is kept: big's windows come first).
    other = np.flatnonzero(y == 1)
    assert abs(w[other[:50]].sum() - w[other[50:]].sum()) < 1e-4 * w.sum()
    assert x.shape[1:] == x_all.shape[1:]


def test_a_still_start_cuts_the_windows_the_app_sees_before_its_buffer_is_full():
    from pathlib import Path

    import numpy as np
    import pytest

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, eval_windows, training_windows, with_still_start

    swing = frames(12, "swing")
    swing[:, 2:10] = np.tile([1.0, 0.0], 4)  # arms out sideways: not at rest
    swing[:, 0] = np.arange(12)  # each step tells which it is
    clip = PoseClip(ClipRecord(Path("w.mp4"), "wave", "w-1", "w"), "t")
    full = ModelConfig(labels=("idle", "wave"), frames=16)
    early = full.replace(decide_from=10)
    assert with_still_start(swing, 0) is swing
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pose_data, "view_features", lambda track, *a, **k: swing)
        # 12 steps: no 16-step window at all, but three that hold 10 to 12 real steps.
        assert len(eval_windows([clip], full, stride=1)[0]) == 0
        x, ids = eval_windows([clip], early, stride=1)
        args = dict(views=1, stride=1, aug=SkeletonAugment(), idle_share=0.0)
        xt, yt, _ = training_windows([clip], early, rng=np.random.default_rng(0), **args)
    assert x.shape == (3, 16, swing.shape[1]) and list(ids) == [0, 0, 0]
    # The first window: the first step held six times, then steps 0..9 as they came.
    np.testing.assert_array_equal(x[0, :, 0], [0] * 7 + list(range(1, 10)))
    np.testing.assert_array_equal(x[-1, :, 0], [0] * 5 + list(range(1, 12)))
    np.testing.assert_array_equal(xt, x)
    assert (yt == 1).all()


def test_held_starts_hold_a_step_from_anywhere_in_the_window():
    import numpy as np

    from model.train.pose_augment import held_starts

    windows = np.tile(np.arange(16, dtype=np.float32)[None, :, None], (200, 1, 3))
    out = held_starts(windows, 8, np.random.default_rng(0))
    assert out.shape == windows.shape and (windows[:, :, 0] == np.arange(16)).all()  # a copy
    for w in out[:, :, 0]:
        k = int(w[0])
        # Steps 0..k all show step k (mid-motion, not the window's own first), then as they came.
        assert k <= 8 and (w[:k + 1] == k).all() and (w[k:] == np.arange(k, 16)).all()
    firsts = set(out[:, 0, 0].astype(int))
    assert firsts == set(range(9))  # every hold from none to eight steps drawn
    np.testing.assert_array_equal(held_starts(windows, 0, np.random.default_rng(0)), windows)


def test_a_one_hand_waves_reach_teaches_the_background_class_when_asked():
    from pathlib import Path

    import numpy as np
    import pytest

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.pose.features import LEFT_FOREARM, LEFT_UPPER_ARM, RIGHT_FOREARM, RIGHT_UPPER_ARM
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows

    wave = frames(20, "still")
    for bone in (RIGHT_UPPER_ARM, RIGHT_FOREARM, LEFT_UPPER_ARM, LEFT_FOREARM):
        wave[:, 2 * bone : 2 * bone + 2] = (0.0, 1.0)
    for t in range(4, 20):  # the left hand up from step 4, swinging
        wave[t, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] = (0.4 if t % 2 else -0.4, -0.9)
    clip = PoseClip(ClipRecord(Path("w.mp4"), "wave_one_hand", "w-1", "w"), "t")
    config = ModelConfig(labels=("idle", "wave_one_hand", "other"), frames=8, background_label="other")
    found = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pose_data, "view_features", lambda track, *a, **k: wave.copy())
        for reaches in (0.0, 1.0):
            args = dict(views=3, stride=2, aug=SkeletonAugment(reaches=reaches), idle_share=0.0)
            found[reaches] = training_windows([clip], config, rng=np.random.default_rng(0), **args)
    (x0, y0, _), (x1, y1, _) = found[0.0], found[1.0]
    background = config.labels.index("other")
    assert (y0 != background).all()
    # The two augmented views each add a reach: the hand up, still, and down, taught as `other`.
    reach = x1[y1 == background]
    assert len(reach) > 0 and len(x1) == len(x0) + len(reach)
    from model.train.pose_definitions import raised_hand

    # Wherever the hand is up in a reach, it stays where it first came up: no swing.
    assert all(len(set(w[raised_hand(w), 2 * LEFT_FOREARM])) <= 1 for w in reach)
    assert any(raised_hand(w).any() for w in reach)


def test_bones_are_lost_for_a_moment_only_in_views_for_a_model_with_a_still_start():
    from pathlib import Path

    import numpy as np
    import pytest

    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train import pose_data
    from model.train.pose_augment import SkeletonAugment
    from model.train.pose_data import PoseClip, training_windows

    swing = frames(20, "swing")
    swing[:, 2:10] = np.tile([1.0, 0.0], 4)
    clip = PoseClip(ClipRecord(Path("w.mp4"), "wave", "w-1", "w"), "t")
    full = ModelConfig(labels=("idle", "wave"), frames=16)
    asked = []

    def view(track, fps, rng, aug, *a, **k):
        if rng is not None:  # an augmented view; None is the clip as it is
            asked.append(aug.lose_briefly)
        return swing

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pose_data, "view_features", view)
        for config in (full, full.replace(decide_from=10), full.replace(frames=12)):
            training_windows([clip], config, views=2, stride=1, aug=SkeletonAugment(),
                             rng=np.random.default_rng(0), idle_share=0.0)
    # The default augmentation asks for it; only the model whose still start holds a lost bone gets it.
    assert SkeletonAugment().lose_briefly == 1.0 and asked == [0.0, 1.0, 0.0]
