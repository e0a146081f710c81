"""Faults while the GUI runs: a disk that fills up under a recording or a clip, and a model
bundle deleted while loaded. Each gives one line, and the picture and its labels go on."""

from __future__ import annotations

import errno
import io
import json
import shutil

import cv2

from app.outputs import recorder as recorder_module

TIMEOUT = 8000


class FullDisk(io.FileIO):
    """A real file on a disk with `room` bytes: a short write, then ENOSPC."""

    room = 0

    def write(self, data) -> int:
        left = self.room - self.tell()
        if left <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(bytes(data)[:left])


def full_disk(monkeypatch, room: int) -> None:
    FullDisk.room = room
    monkeypatch.setattr(recorder_module, "open", lambda p, *a, **k: FullDisk(p, "w+"), raising=False)


def frames_in(path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_full_disk_stops_the_recording_with_one_line_and_labels_go_on(
        qtbot, window, clip, model_dir, tmp_path, monkeypatch, capsys):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.frames_with_result > 3, timeout=TIMEOUT)
    # Room for one of the recording's one-second fragments (about 86 kB each, written whole), not two.
    full_disk(monkeypatch, room=130_000)
    path = window.outputs.start_recording(tmp_path / "rec.mp4")
    assert window.rec_label.text() == "● REC"
    qtbot.waitUntil(lambda: window.outputs.recording is None, timeout=TIMEOUT)
    error = window.outputs.recording_error
    assert error.startswith(f"Recording to {path} stopped after") and "No space left" in error
    assert window.rec_label.text() == ""
    assert window.statusBar().currentMessage() == f"{error} Classifying goes on."
    assert capsys.readouterr().err.count("No space left") == 1
    labelled = window.frames_with_result
    qtbot.waitUntil(lambda: window.frames_with_result > labelled + 5, timeout=TIMEOUT)
    assert window.view.shown_result is not None
    assert 0 < frames_in(path) and path.stat().st_size <= FullDisk.room
    events = [json.loads(line) for line in path.with_suffix(".jsonl").read_text().splitlines()]
    assert len(events) >= frames_in(path) - 31  # the events go on past the last whole fragment


def test_recording_writes_its_events_beside_the_video(qtbot, window, clip, model_dir, tmp_path):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.frames_with_result > 3, timeout=TIMEOUT)
    path = window.outputs.start_recording(tmp_path / "rec.mp4")
    qtbot.waitUntil(lambda: window.outputs.recording.frames_written >= 20, timeout=TIMEOUT)
    assert window.outputs.stop_recording() == path
    assert window.outputs.recording_error is None
    events = [json.loads(line) for line in (tmp_path / "rec.jsonl").read_text().splitlines()]
    frames = [e["frame"] for e in events]
    assert len(events) >= 19 and frames == sorted(frames)
    assert frames_in(path) >= len(events)


def test_full_disk_under_a_clip_says_so_in_the_collect_panel(qtbot, window, clip, tmp_path, monkeypatch):
    window.start(str(clip), None)
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=TIMEOUT)
    full_disk(monkeypatch, room=0)
    window.record_clip("wave", 1.0)
    panel = window.collect_panel
    qtbot.waitUntil(lambda: panel.record_button.isEnabled(), timeout=TIMEOUT)
    assert "No space left on device" in panel.state_label.text()
    assert window.outputs.clip is None


def test_bundle_deleted_while_loaded_keeps_the_running_model(qtbot, window, clip, model_dir, dialogs):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.frames_with_result > 3, timeout=TIMEOUT)
    loaded = window.model_info
    shutil.rmtree(model_dir)
    window.load_model(str(model_dir))  # e.g. Settings → Model, pointed at the same folder again
    qtbot.waitUntil(lambda: bool(dialogs), timeout=TIMEOUT)
    assert len(dialogs) == 1 and str(model_dir) in dialogs[0][1]
    assert window.model_info is loaded
    labelled = window.frames_with_result
    qtbot.waitUntil(lambda: window.frames_with_result > labelled + 5, timeout=TIMEOUT)
    assert window.view.shown_result is not None
