"""The pieces on their own: frame coalescing, the display check, clip folders."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PyQt6.QtWidgets import QApplication

from app.frames import Frame
from app.outputs.clip_dataset import LabelError, check_label, clip_path, count_clips
from app.qt.display import display_available
from app.qt.engine_bridge import EngineBridge
from app.results import Result
from tests.qt.fake_engine import FakeEngine

LABELS = ("idle", "wave")


def _result(index: int, label: str = "wave") -> Result:
    probs = np.array([0.2, 0.8], np.float32)
    return Result(index, index / 30, label, 0.8, probs, probs, LABELS)


def test_bridge_coalesces_frames_but_keeps_every_result(qtbot):
    engine = FakeEngine()
    bridge = EngineBridge(engine)
    deliveries = []

    def on_ready():
        deliveries.append(bridge.take())
        bridge.rearm()

    bridge.connect_frames(on_ready)
    image = np.zeros((8, 8, 3), np.uint8)

    def burst():  # an engine thread outpacing a GUI that has not had a turn yet
        for i in range(50):
            engine.events.emit(engine.events.frame_ready, Frame(image, i, i / 30, 0.0), _result(i))

    t = threading.Thread(target=burst)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bool(deliveries), timeout=2000)
    QApplication.processEvents()  # delivers any (wrong) extra frame_ready already posted
    assert len(deliveries) == 1
    assert deliveries[0].frame.index == 49 and deliveries[0].result.frame_index == 49
    assert [r.frame_index for r in deliveries[0].results] == list(range(50))
    assert bridge.skipped_paints == 49


def test_bridge_drops_result_of_another_frame(qtbot):
    engine = FakeEngine()
    bridge = EngineBridge(engine)
    bridge.connect_frames(lambda: None)
    engine.events.emit(engine.events.frame_ready, Frame(np.zeros((4, 4), np.uint8), 7, 0.2, 0.0), _result(6))
    delivery = bridge.take()
    assert delivery.frame.index == 7 and delivery.result is None


@pytest.mark.parametrize("env, platform, expected", [
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),
    ({}, "win32", True),
    ({}, "darwin", True),
])
def test_display_available(env, platform, expected):
    assert display_available(env, platform) is expected


def test_clip_folders(tmp_path):
    assert check_label(" wave ") == "wave"
    for bad in ("", "../x", "a b", "x" * 65):
        with pytest.raises(LabelError, match="`label`"):
            check_label(bad)
    first = clip_path(tmp_path, "wave", now=1000.0)
    first.write_bytes(b"x")
    second = clip_path(tmp_path, "wave", now=1000.0)
    assert second != first and second.parent == tmp_path / "wave"
    (tmp_path / "wave" / ".partial.mp4").write_bytes(b"x")
    assert count_clips(tmp_path) == {"wave": 1}


def test_timeline_bars_only_for_labels_that_claim_something():
    from app.qt.widgets.timeline import stable_segments
    from app.results import UNDECIDED, UNKNOWN

    times = np.arange(8) / 10.0
    labels = [UNDECIDED, UNDECIDED, "wave", "wave", UNKNOWN, "idle", UNDECIDED, "wave"]
    # No decision yet (at the start, after a seek or nobody in view) draws no bar, as idle and unknown.
    assert stable_segments(times, labels) == [(0.2, 0.4, "wave"), (0.7, 0.7, "wave")]
