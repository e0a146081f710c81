"""The video view draws a pose model's skeleton (View -> Skeleton, on by default) and says `no person`."""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QColor

from app.frames import Frame
from app.qt.widgets.video_view import VideoView
from app.results import NO_PERSON, Result
from model.pose.landmarks import Pose
from model.pose.skeleton import LEFT_HIP, LEFT_SHOULDER, NUM_LANDMARKS

LABELS = ("idle", "wave", "other")


def _pose() -> Pose:
    image = np.zeros((NUM_LANDMARKS, 3), np.float32)
    image[:, :2] = (100, 60)
    image[LEFT_SHOULDER, :2] = (70, 30)
    image[LEFT_HIP, :2] = (130, 100)
    vis = np.zeros(NUM_LANDMARKS, np.float32)
    vis[[LEFT_SHOULDER, LEFT_HIP]] = 1.0
    return Pose(1.0, image, vis, np.zeros((NUM_LANDMARKS, 3), np.float32), np.array([100, 100.0]),
                np.array([100, 40.0]), (200, 120))


def _result(label: str, pose=None) -> Result:
    probs = np.array([0.1, 0.8, 0.1], np.float32)
    return Result(3, 0.1, label, 0.8, probs, probs, LABELS, pose=pose)


def _green_pixels(view: VideoView) -> int:
    img = view.grab().toImage()
    hits = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = QColor(img.pixel(x, y))
            hits += c.green() > 200 and c.red() < 120 and c.blue() < 120
    return hits


def test_skeleton_drawn_and_toggled(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(400, 240)
    view.set_labels(LABELS)
    view.show_frame(Frame(np.zeros((120, 200, 3), np.uint8), 3, 0.1, 0.0), _result("wave", _pose()))
    with_bones = _green_pixels(view)
    view.set_show_skeleton(False)
    without = _green_pixels(view)
    assert with_bones > without + 10


def test_no_person_headline_is_quiet(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.set_labels(LABELS)
    view.show_frame(Frame(np.zeros((120, 200, 3), np.uint8), 3, 0.1, 0.0), _result(NO_PERSON))
    head = view.headline
    assert head.text == NO_PERSON and head.quiet and head.detail == "nobody in view"


def test_view_menu_skeleton_toggles_the_view_and_recordings(window):
    action = window.actions_by_name["skeleton"]
    assert action.isCheckable() and action.isChecked()
    assert window.view.show_skeleton and window.outputs.skeleton
    action.trigger()
    assert not action.isChecked()
    assert not window.view.show_skeleton and not window.outputs.skeleton
