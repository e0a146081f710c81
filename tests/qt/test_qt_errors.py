"""Bad files and bad models give one dialog each, and the window stays usable."""

from __future__ import annotations

TIMEOUT = 5000


def test_bad_file_shows_dialog_and_app_stays_usable(qtbot, window, engine, clip, tmp_path, dialogs):
    bad = tmp_path / "not_a_video.avi"
    bad.write_bytes(b"this is not a video" * 10)
    assert window.open_source(str(bad)) is False
    assert len(dialogs) == 1
    title, text = dialogs[0]
    assert "not_a_video.avi" in text and "\n" not in text.strip()

    assert window.open_source(str(tmp_path / "missing.mp4")) is False
    assert "missing.mp4" in dialogs[1][1]

    assert window.open_source(str(clip)) is True
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) > 3, timeout=TIMEOUT)
    assert len(dialogs) == 2


def test_failed_model_shows_dialog_and_video_keeps_playing(qtbot, window, engine, clip, tmp_path, dialogs):
    window.start(str(clip), tmp_path / "no_bundle_here")
    qtbot.waitUntil(lambda: bool(dialogs), timeout=TIMEOUT)
    title, text = dialogs[0]
    assert "no_bundle_here" in text and title == "Model not loaded"
    shown = window.view.shown_index
    qtbot.waitUntil(lambda: window.view.shown_index != shown, timeout=TIMEOUT)
    assert window.view.shown_result is None


def test_no_camera_plays_demo_clip_with_notice(qtbot, window, engine, clip, monkeypatch):
    import app.qt.paths as paths

    monkeypatch.setattr(paths, "default_demo_clip", lambda: clip)
    window.start(None, None)
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=TIMEOUT)
    assert "demo clip" in window.view._notice
    assert window.source_panel.camera_box.currentText() == "no camera found"
    assert engine._loop is True


def test_missing_demo_clip_says_what_to_do(qtbot, window, engine, tmp_path, monkeypatch, dialogs):
    import app.qt.paths as paths

    monkeypatch.setattr(paths, "default_demo_clip", lambda: tmp_path / "nope.avi")
    window.start(None, None)
    qtbot.waitUntil(lambda: "Ctrl+O" in window.view._notice, timeout=TIMEOUT)
    assert window.source_info is None and not dialogs


def test_camera_that_fails_falls_back_to_demo(qtbot, engine, store, clip, monkeypatch, dialogs):
    import app.qt.paths as paths
    from app.qt.main_window import MainWindow

    monkeypatch.setattr(paths, "default_demo_clip", lambda: clip)
    win = MainWindow(engine, store, camera_lister=lambda: [0])  # the fake engine has no camera 0
    qtbot.addWidget(win)
    win.start(None, None)
    qtbot.waitUntil(lambda: win.source_info is not None, timeout=TIMEOUT)
    assert win.source_panel.camera_box.currentText() == "camera 0"
    assert "demo clip" in win.view._notice and not dialogs
    win.close()


def test_dead_stream_opens_off_the_gui_thread_and_reports(qtbot, window, engine, clip, dialogs):
    # A URL may take seconds to answer: open_source returns at once and the dialog comes later.
    assert window.open_source("http://127.0.0.1:9/stream") is True
    assert "opening" in window.source_panel.current_label.text()
    qtbot.waitUntil(lambda: bool(dialogs), timeout=TIMEOUT)
    title, text = dialogs[0]
    assert title == "Cannot open source" and "127.0.0.1:9" in text
    assert window.open_source(str(clip)) is True
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) > 3, timeout=TIMEOUT)
