"""Several people in the window: a click on a person selects them, and the engine is told.

The view paints everyone from a result's `people`; a click inside a person's box emits
`person_clicked` with their id (0 on nobody), and the window hands it to the engine's
`select_person` (None for nobody: back to the largest), whose results then carry that
person's label and probabilities, which the bars and timeline show.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPoint, Qt

from app.frames import Frame
from app.qt.widgets.video_view import VideoView
from app.results import PersonResult, Result
from model.pose.landmarks import Pose
from model.pose.skeleton import NUM_LANDMARKS

LABELS = ("idle", "wave", "other")
FRAME = (240, 400)  # h, w of the source picture


def _pose(cx: float) -> Pose:
    image = np.zeros((NUM_LANDMARKS, 3), np.float32)
    image[:, 0] = np.linspace(cx - 30, cx + 30, NUM_LANDMARKS)
    image[:, 1] = np.linspace(40, 200, NUM_LANDMARKS)
    return Pose(1.0, image, np.ones(NUM_LANDMARKS, np.float32), np.zeros((NUM_LANDMARKS, 3), np.float32),
                np.array([cx, 150.0]), np.array([cx, 40.0]), (FRAME[1], FRAME[0]))


def _person(pid: int, cx: float, label: str) -> PersonResult:
    probs = np.array([0.1, 0.8, 0.1] if label == "wave" else [0.8, 0.1, 0.1], np.float32)
    return PersonResult(pid, label, float(probs.max()), probs, probs, _pose(cx))


def _two_people(selected: int) -> Result:
    people = [_person(1, 100, "idle"), _person(2, 300, "wave")]
    chosen = people[selected - 1]
    return Result(5, 0.5, chosen.label, chosen.confidence, chosen.probs, chosen.raw_probs, LABELS,
                  pose=chosen.pose, people=people, person_id=selected)


def _widget_point(view: VideoView, x: float, y: float) -> QPoint:
    """Where source pixel (x, y) is drawn in the view."""
    target = view.image_rect()
    return QPoint(int(target.x() + x * target.width() / FRAME[1]),
                  int(target.y() + y * target.height() / FRAME[0]))


def _show(view: VideoView, result: Result) -> None:
    view.set_labels(LABELS)
    view.show_frame(Frame(np.zeros((*FRAME, 3), np.uint8), 5, 0.5, 0.0), result)


def test_a_click_on_a_person_names_them_and_a_click_on_nobody_names_no_one(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(500, 360)
    view.show()
    _show(view, _two_people(selected=1))
    with qtbot.waitSignal(view.person_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_widget_point(view, 300, 120))
    assert clicked.args == [2]
    with qtbot.waitSignal(view.person_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_widget_point(view, 100, 120))
    assert clicked.args == [1]
    with qtbot.waitSignal(view.person_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_widget_point(view, 200, 225))  # between them
    assert clicked.args == [0]


def test_one_person_followed_emits_nothing_on_a_click(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(500, 360)
    view.show()
    probs = np.array([0.1, 0.8, 0.1], np.float32)
    _show(view, Result(5, 0.5, "wave", 0.8, probs, probs, LABELS, pose=_pose(300)))
    with qtbot.assertNotEmitted(view.person_clicked):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_widget_point(view, 300, 120))


def _deliver(window, engine, qtbot, result: Result) -> None:
    with qtbot.waitSignal(window.frame_shown, timeout=3000):
        engine.events.emit(engine.events.frame_ready, Frame(np.zeros((*FRAME, 3), np.uint8), 5, 0.5, 0.0), result)


def test_the_window_hands_a_clicked_person_to_the_engine_and_the_bars_follow(window, engine, qtbot):
    view = window.view
    for widget in (view, window.bars):
        widget.set_labels(LABELS)
    _deliver(window, engine, qtbot, _two_people(selected=1))
    assert window.bars.rows[0][0] == "idle"  # the largest (here the first) person's bars
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_widget_point(view, 300, 120))
    assert engine.selected_people == [2]
    # The engine's results now carry the clicked person's fields: bars and headline follow them.
    _deliver(window, engine, qtbot, _two_people(selected=2))
    assert window.bars.rows[0][0] == "wave"
    assert view.headline.text == "wave"
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_widget_point(view, 200, 225))
    assert engine.selected_people == [2, None]  # a click on nobody: back to the largest
