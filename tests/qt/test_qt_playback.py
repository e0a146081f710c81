"""Opening a clip plays it; pause, seek and step show the label of the frame on screen."""

from __future__ import annotations

from tests.qt.fake_engine import label_for
from tests.qt.qt_helpers import CLIP_FRAMES, LABELS

TIMEOUT = 5000


def _label_matches_frame(window, engine) -> bool:
    index = window.view.shown_index
    if index is None:
        return False
    expected = engine.result_for(index)
    result = window.view.shown_result
    if expected is None:
        return result is None
    return result is not None and result.frame_index == index and window.view.headline.text == expected.label


def test_open_clip_plays_and_label_follows(qtbot, window, engine, clip, model_dir):
    window.start(str(clip), model_dir)
    assert window.view.headline.text == "loading model…"
    qtbot.waitUntil(lambda: window.model_info is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) > 20, timeout=TIMEOUT)
    assert _label_matches_frame(window, engine)
    assert window.view.headline.text in (*LABELS, "unknown")
    assert window.bars.rows and window.bars.rows[0][0] == window.view.shown_result.top_k(1)[0][0]
    assert window.timeline.point_count > 0
    assert window.preview.surprise is not None
    assert window.playback.slider.maximum() == CLIP_FRAMES - 1
    qtbot.waitUntil(lambda: window.view.paint_count > 0, timeout=TIMEOUT)


def test_pause_seek_step_show_that_frames_label(qtbot, window, engine, clip, model_dir):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.model_info is not None and (window.view.shown_index or 0) > 5,
                    timeout=TIMEOUT)
    window.toggle_play()
    assert engine.paused and window.playback.play_button.text() == "Play"

    window.seek(40)
    qtbot.waitUntil(lambda: window.view.shown_index == 40, timeout=TIMEOUT)
    assert window.view.headline.text == label_for(40, LABELS)
    assert window.playback.slider.value() == 40

    window.step(1)
    qtbot.waitUntil(lambda: window.view.shown_index == 41, timeout=TIMEOUT)
    assert window.view.headline.text == label_for(41, LABELS)
    window.step(-1)
    window.step(-1)
    qtbot.waitUntil(lambda: window.view.shown_index == 39, timeout=TIMEOUT)
    assert window.view.headline.text == label_for(39, LABELS)
    # Seeking to the start: no full window yet, so no label rather than a stale one.
    window.seek(0)
    qtbot.waitUntil(lambda: window.view.shown_index == 0, timeout=TIMEOUT)
    assert window.view.shown_result is None
    assert window.view.headline.text not in LABELS

    window.toggle_play()
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) > 3, timeout=TIMEOUT)
    assert _label_matches_frame(window, engine)


def test_keyboard_shortcuts_drive_playback(qtbot, window, engine, clip, model_dir):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) > 5, timeout=TIMEOUT)
    window.actions_by_name["play"].trigger()
    assert engine.paused
    target = engine._shown + 1  # pause() returned: no later frame is emitted
    window.actions_by_name["forward"].trigger()
    qtbot.waitUntil(lambda: window.view.shown_index == target, timeout=TIMEOUT)
    window.actions_by_name["back"].trigger()
    qtbot.waitUntil(lambda: window.view.shown_index == target - 1, timeout=TIMEOUT)
    keys = {name: a.shortcut().toString() for name, a in window.actions_by_name.items()}
    assert keys["play"] == "Space" and keys["record"] == "R" and keys["snapshot"] == "S"
    assert keys["fullscreen"] == "F" and keys["open"] == "Ctrl+O"
    assert keys["back"] == "Left" and keys["forward"] == "Right"


def test_speed_and_loop_reach_engine(qtbot, window, engine, clip):
    window.start(str(clip), None)
    window.playback.speed_box.setCurrentIndex(window.playback.speed_box.findData(2.0))
    assert engine._speed == 2.0
    window.playback.loop_box.setChecked(True)
    assert engine._loop is True


def test_drop_and_recent_files_open_the_clip(qtbot, window, engine, clip):
    from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PyQt6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.source_info is not None and window.source_info.name == clip.name
    box = window.source_panel.recent_box
    assert box.count() == 2 and box.itemData(1) == str(clip.resolve())
    engine.close_source()
    window.source_info = None
    box.activated.emit(1)
    assert window.source_info is not None
    qtbot.waitUntil(lambda: window.view.shown_index is not None, timeout=TIMEOUT)
