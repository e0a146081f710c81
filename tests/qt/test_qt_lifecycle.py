"""Closing is clean: within 2 s, recordings finalised, no thread left behind; snapshot runs."""

from __future__ import annotations

import time

import cv2

from app.qt.app import run_gui
from app.qt.main_window import MainWindow
from tests.qt.fake_engine import FakeEngine
from tests.qt.qt_helpers import new_threads, write_clip

TIMEOUT = 8000


def test_close_while_model_loads_is_clean(qtbot, store, clip, model_dir, threads_before, dialogs):
    engine = FakeEngine(load_delay=60.0)
    win = MainWindow(engine, store, camera_lister=lambda: [])
    qtbot.addWidget(win)
    win.show()
    win.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: (win.view.shown_index or 0) > 2, timeout=TIMEOUT)
    assert win.view.headline.text == "loading model…"
    t0 = time.monotonic()
    win.close()
    assert time.monotonic() - t0 < 2.0
    assert new_threads(threads_before) == []
    assert not dialogs


def test_close_while_recording_finalises_file(qtbot, store, clip, model_dir, tmp_path, threads_before):
    engine = FakeEngine()
    win = MainWindow(engine, store, camera_lister=lambda: [])
    qtbot.addWidget(win)
    win.show()
    win.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: win.frames_with_result > 2, timeout=TIMEOUT)
    win.toggle_recording()
    path = win.outputs.recording.path
    qtbot.waitUntil(lambda: win.outputs.recording.frames_written >= 5, timeout=TIMEOUT)
    t0 = time.monotonic()
    win.close()
    assert time.monotonic() - t0 < 2.0
    assert new_threads(threads_before) == []
    assert path.parent == tmp_path / "out"
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened() and cap.read()[0]
    cap.release()


def test_run_gui_snapshot_writes_png(qtbot, store, clip, model_dir, tmp_path, threads_before):
    out = tmp_path / "shot.png"
    code = run_gui(source=str(clip), model_dir=model_dir, snapshot=out, snapshot_after_frames=10,
                   engine_factory=lambda settings, device: FakeEngine(settings, device),
                   store=store, camera_lister=lambda: [])
    assert code == 0
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] > 300 and image.shape[1] > 500
    assert new_threads(threads_before) == []


def test_run_gui_snapshot_fails_cleanly_without_model(qtbot, store, clip, tmp_path, threads_before):
    code = run_gui(source=str(clip), model_dir=tmp_path / "nothing", snapshot=tmp_path / "x.png",
                   snapshot_after_frames=5, engine_factory=lambda s, d: FakeEngine(s, d),
                   store=store, camera_lister=lambda: [])
    assert code == 1
    assert not (tmp_path / "x.png").exists()
    assert new_threads(threads_before) == []


def test_run_gui_snapshot_at_the_end_of_a_short_file(qtbot, store, tmp_path, model_dir, capfd,
                                                      threads_before):
    # 40 frames can never give 500 predictions: the snapshot is of the file's end, and that is success.
    short = write_clip(tmp_path / "short.avi", frames=40)
    out = tmp_path / "end.png"
    code = run_gui(source=str(short), model_dir=model_dir, snapshot=out, snapshot_after_frames=500,
                   engine_factory=lambda settings, device: FakeEngine(settings, device),
                   store=store, camera_lister=lambda: [], snapshot_timeout_s=60)
    assert code == 0
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] > 300
    lines = [x for x in capfd.readouterr().err.splitlines() if "snapshot taken at its end" in x]
    assert len(lines) == 1 and "of 500 asked for" in lines[0] and str(out) in lines[0]
    assert new_threads(threads_before) == []
