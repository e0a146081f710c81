"""Pose training windows: who is at rest, and which views borrow standing legs."""

from __future__ import annotations

from model.pose.features import NUM_BONES, TORSO
from model.train.pose_data import at_rest
from tests.model.train.test_pose_legs import frames


def test_a_bow_towards_the_camera_is_not_rest_though_the_picture_looks_upright():
    standing = frames(2, "still")
    world_torso = slice(NUM_BONES * 2 + 3 * TORSO, NUM_BONES * 2 + 3 * TORSO + 3)
    standing[:, world_torso] = (0.0, -0.95, -0.3)
    bowing = standing.copy()
    bowing[:, world_torso] = (0.0, -0.06, -1.0)  # KARD's bend at its depth; the picture torso still points up
    assert at_rest(standing).all()
    assert not at_rest(bowing).any()
    # Hips out of view (a webcam close-up): still upright.
    close_up = standing.copy()
    close_up[:, 0:2] = 0.0
    close_up[:, world_torso] = 0.0
    assert at_rest(close_up).all()


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
