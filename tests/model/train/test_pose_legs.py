"""Standing legs borrowed by views whose legs the frame cuts off (model/train/pose_legs.py)."""

from __future__ import annotations

import numpy as np

from model.pose.features import FEATURE_DIM, LEGS, NUM_BONES, PRESENCE_INDEX
from model.train.pose_legs import LEG_COLUMNS, leg_motion, legs_seen, lend_legs, standing_labels


def frames(t: int, legs: str, rng=None) -> np.ndarray:
    """(t, FEATURE_DIM): a person with arms and torso seen; legs "still", "swing" or "none"."""
    x = np.zeros((t, FEATURE_DIM), np.float32)
    x[:, PRESENCE_INDEX] = 1.0
    x[:, 0:2] = (0.0, -1.0)  # torso up
    x[:, 2:10] = np.tile([0.0, 1.0], 4)  # arms down
    if legs != "none":
        angle = 0.5 * np.sin(np.arange(t)) if legs == "swing" else np.zeros(t)
        for b in LEGS:
            x[:, 2 * b] = np.sin(angle)
            x[:, 2 * b + 1] = np.cos(angle)
            x[:, NUM_BONES * 2 + 3 * b + 1] = 1.0
    return x


def test_legs_that_stand_and_legs_that_move_are_told_apart():
    assert leg_motion(frames(20, "still")) == 0.0
    assert leg_motion(frames(20, "swing")) > 0.2
    assert leg_motion(frames(20, "none")) is None
    by_label = {"wave": [frames(20, "still"), frames(20, "none")], "jumping_jack": [frames(20, "swing")] * 3,
                "front_raise": [frames(20, "none")]}
    # A label never seen with legs is taken to stand: arm actions are filmed at the waist.
    assert standing_labels(by_label) == {"wave", "front_raise"}


def test_lent_legs_fill_only_steps_with_a_person_and_no_legs():
    view = frames(6, "none")
    view[1] = frames(1, "still")[0]  # legs seen at step 1
    view[2] = 0.0  # nobody at step 2
    donor = frames(1, "still")
    donor[0, LEG_COLUMNS] += 0.2  # a recognisable donor
    out = lend_legs(view, donor, np.random.default_rng(0))
    filled = [0, 3, 4, 5]
    assert legs_seen(out)[filled].all()
    np.testing.assert_allclose(out[filled][:, LEG_COLUMNS], np.repeat(donor[:, LEG_COLUMNS], 4, 0), atol=0.15)
    np.testing.assert_array_equal(out[1], view[1])
    np.testing.assert_array_equal(out[2], view[2])
    # Everything but the legs is the view's own.
    rest = np.setdiff1d(np.arange(FEATURE_DIM), LEG_COLUMNS)
    np.testing.assert_array_equal(out[:, rest], view[:, rest])


def test_nothing_to_lend_or_nothing_to_fill_returns_the_view_itself():
    view = frames(4, "none")
    assert lend_legs(view, np.zeros((0, FEATURE_DIM), np.float32), np.random.default_rng(0)) is view
    full = frames(4, "still")
    assert lend_legs(full, frames(1, "still"), np.random.default_rng(0)) is full
