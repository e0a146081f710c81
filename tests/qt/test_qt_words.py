"""What the window draws and says agrees: the headline above the picture, one vocabulary, the end of a file."""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QColor

from app.frames import Frame
from app.outputs.overlay import status_text
from app.qt.widgets.prob_bars import ProbBars
from app.qt.widgets.timeline import Timeline
from app.qt.widgets.video_view import VideoView
from app.results import NO_PERSON, UNKNOWN, Result
from model.pose.landmarks import Pose
from model.pose.skeleton import (
    LEFT_EAR,
    LEFT_ELBOW,
    LEFT_EYE,
    LEFT_SHOULDER,
    LEFT_WRIST,
    NOSE,
    NUM_LANDMARKS,
)

LABELS = ("idle", "wave", "other")
TIMEOUT = 5000


def _result(label: str, pose=None, probs=(0.1, 0.8, 0.1)) -> Result:
    probs = np.array(probs, np.float32)
    return Result(3, 0.1, label, 0.8, probs, probs, LABELS, pose=pose, background_label="other")


def _frame(h=120, w=200) -> Frame:
    return Frame(np.full((h, w, 3), 90, np.uint8), 3, 0.1, 0.0)


def test_the_headline_has_its_own_band_above_the_picture(qtbot):
    # The headline box sat over the head and raised hands.
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.set_labels(LABELS)
    view.show_frame(_frame(), _result("wave"))
    assert view.headline_rect().bottom() <= view.image_rect().top()
    view.set_notice("End of file. Space plays it again.")
    assert view.image_rect().bottom() <= view.height() - 20  # nor is the notice over the feet


def test_a_long_state_is_shrunk_to_fit_not_cut(qtbot):
    # "no model: see the messag": the last letter ran past the view's edge.
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(330, 400)
    view.set_state("no model: see the message")
    img = view.grab().toImage()
    band = view.headline_rect()
    right = [x for x in range(img.width()) for y in range(0, int(band.height()), 2)
             if QColor(img.pixel(x, y)).lightness() > 110]
    assert right and max(right) < view.width() - 4


def _white_pixels(view: VideoView, rect) -> int:
    img = view.grab().toImage()
    return sum(QColor(img.pixel(x, y)).lightness() > 240
               for y in range(int(rect.top()), int(rect.bottom())) for x in range(int(rect.left()), int(rect.right())))


def test_the_skeleton_stays_in_the_picture_and_the_face_is_points(qtbot):
    image = np.zeros((NUM_LANDMARKS, 3), np.float32)
    vis = np.zeros(NUM_LANDMARKS, np.float32)
    # An elbow and a wrist far past the frame's right edge, and the nose, an eye and an ear.
    for k, xy in ((LEFT_SHOULDER, (150, 60)), (LEFT_ELBOW, (400, 60)), (LEFT_WRIST, (900, 60)), (NOSE, (100, 30)),
                  (LEFT_EYE, (90, 26)), (LEFT_EAR, (70, 28))):
        image[k, :2] = xy
        vis[k] = 1.0
    pose = Pose(1.0, image, vis, np.zeros((NUM_LANDMARKS, 3), np.float32), np.zeros(2), np.zeros(2), (200, 120))
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 300)  # a wide view: letterbox to the right of the picture
    view.set_labels(LABELS)
    view.show_frame(_frame(), _result("wave", pose))
    target = view.image_rect()
    img = view.grab().toImage()
    y = int(target.top() + 60 * target.height() / 120)
    green = [x for x in range(img.width()) if QColor(img.pixel(x, y)).green() > 200
             and QColor(img.pixel(x, y)).red() < 120]
    assert green and max(green) <= target.right() + 1  # the arm stops at the picture's edge
    # Between the ear and the eye, where an edge ran, nothing is drawn.
    sx = target.width() / 200
    mid = (int(target.left() + 80 * sx), int(target.top() + 27 * sx))
    assert QColor(img.pixel(*mid)).green() < 150


def test_bars_say_unknown_and_stay_empty_for_no_person(qtbot):
    bars = ProbBars(3)
    qtbot.addWidget(bars)
    bars.set_labels(LABELS)
    bars.set_result(_result(UNKNOWN, probs=(0.1, 0.2, 0.7)))
    assert [name for name, _ in bars.rows] == ["unknown", "wave", "idle"]
    bars.set_result(_result(NO_PERSON, probs=(0.0, 0.0, 0.0)))
    assert bars.rows == []


def test_timeline_legend_sits_outside_the_plot_and_names_no_person(qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.set_labels(LABELS, "idle", "other")
    assert timeline.legend_entries == ["idle", "wave", "unknown", NO_PERSON]
    assert timeline._plot.plotItem.legend is None  # noqa: SLF001 (no legend inside the plot)
    timeline.resize(600, 200)
    timeline.show()
    assert timeline.legend.geometry().bottom() <= timeline._plot.geometry().top()  # noqa: SLF001


def test_the_status_line_has_no_internal_counters():
    line = status_text({"capture_fps": 30.0, "dropped": 0, "device": "CPU", "runtime": "LiteRT"})
    assert "unpainted" not in line


def test_the_end_of_a_file_is_said_and_the_button_shows_it(qtbot, window, engine, clip, model_dir):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) > 5, timeout=TIMEOUT)
    window._on_source_ended(None)  # noqa: SLF001 (the bridge's queued slot, as the engine ends a file)
    assert window.playback.play_button.text() == "Replay"
    assert "End of file" in window.view.notice
    window.toggle_play()
    qtbot.waitUntil(lambda: window.view.notice == "", timeout=TIMEOUT)
    assert window.playback.play_button.text() in ("Pause", "Play")
