"""People at rest: who is standing still, and the held-still windows made from them."""

from __future__ import annotations

from model.pose.features import NUM_BONES, TORSO
from model.train.pose_rest import at_rest
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


def test_a_frozen_picture_with_lost_forearms_or_hips_makes_idle_windows_too():
    import numpy as np

    from model.config import ModelConfig
    from model.pose.features import LEFT_FOREARM, RIGHT_FOREARM, split_features
    from model.train.pose_rest import idle_windows

    # A webcam's first frame, hands at the frame's edge: hips and forearms unseen, upper arms down.
    lost = frames(3, "none")
    for bone in (TORSO, LEFT_FOREARM, RIGHT_FOREARM):
        lost[:, 2 * bone : 2 * bone + 2] = 0.0
    raised = frames(3, "none")
    raised[:, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] = (0.0, -1.0)  # a forearm seen pointing up
    assert not at_rest(lost).any() and at_rest(lost, unseen_arms=True).all()
    assert not at_rest(raised, unseen_arms=True).any()  # a raised arm is a raise, seen or not
    # Held-still windows come from such frames too, and some lose bones of their own.
    config = ModelConfig(frames=8)
    standing = frames(3, "none")
    standing[:, NUM_BONES * 2 + 3 * TORSO + 1] = -1.0  # world torso up
    windows = idle_windows([raised, lost, standing], config, 200, np.random.default_rng(0))
    assert windows.shape == (200, 8, lost.shape[1])
    picture, _ = split_features(windows[:, 0])
    seen = np.abs(picture).sum(-1) > 0  # (200, bones)
    assert 0.2 < seen[:, TORSO].mean() < 0.6  # half from the lost frame, a quarter of the rest dropped
    assert not (picture[:, LEFT_FOREARM, 1] < -0.5).any()  # never the raised frame
    assert (np.abs(windows - windows[:, :1]) < 0.1).all()  # still: one frame held, small jitter


def test_a_hand_raised_and_held_is_found_and_held_still():
    import numpy as np

    from model.config import ModelConfig
    from model.pose.features import LEFT_FOREARM, LEFT_UPPER_ARM, RIGHT_FOREARM, RIGHT_UPPER_ARM
    from model.train.pose_definitions import raised_hand
    from model.train.pose_rest import held_windows

    x = frames(3, "still")  # arms hanging
    for bone in (RIGHT_UPPER_ARM, RIGHT_FOREARM, LEFT_UPPER_ARM):
        x[:, 2 * bone : 2 * bone + 2] = (0.0, 1.0)
    x[1, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] = (0.3, -0.95)  # step 1: the left hand up, the right arm down
    x[2, 2 * LEFT_FOREARM : 2 * LEFT_FOREARM + 2] = (0.3, -0.95)
    x[2, 2 * RIGHT_UPPER_ARM : 2 * RIGHT_UPPER_ARM + 2] = (1.0, 0.0)  # step 2: the right arm out as well
    assert raised_hand(x).tolist() == [False, True, False]
    windows = held_windows(x[raised_hand(x)], ModelConfig(frames=8), 50, np.random.default_rng(0))
    assert windows.shape == (50, 8, x.shape[1])
    assert (np.abs(windows - x[1]) < 0.1).all()  # that one frame, held with a little jitter
