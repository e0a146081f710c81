"""Recording, snapshots, event export and clip collection write files that open."""

from __future__ import annotations

import json

import cv2

from app.outputs.event_log import read_segments

TIMEOUT = 8000


def _frames_in(path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def _playing(qtbot, window, clip, model_dir):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.model_info is not None and window.frames_with_result > 3,
                    timeout=TIMEOUT)


def test_recording_writes_annotated_video(qtbot, window, clip, model_dir, tmp_path):
    _playing(qtbot, window, clip, model_dir)
    path = window.outputs.start_recording(tmp_path / "rec.mp4")
    qtbot.waitUntil(lambda: window.outputs.recording.frames_written >= 10, timeout=TIMEOUT)
    assert window.outputs.stop_recording() == path
    cap = cv2.VideoCapture(str(path))
    ok, image = cap.read()
    cap.release()
    assert ok and image.shape[0] >= 480  # render_overlay upscales small clips for legible text
    assert _frames_in(path) >= 10


def test_snapshot_and_exports(qtbot, window, clip, model_dir, tmp_path):
    _playing(qtbot, window, clip, model_dir)
    png = window.save_snapshot(tmp_path / "snap.png")
    assert png is not None and cv2.imread(str(png)) is not None

    qtbot.waitUntil(lambda: window.session.event_count >= 20, timeout=TIMEOUT)
    events = window.export_events(tmp_path / "events.jsonl")
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert len(lines) >= 20 and {"frame", "label", "probs"} <= set(lines[0])
    frames = [e["frame"] for e in lines]
    assert frames == sorted(frames)

    segments = read_segments(window.export_events(tmp_path / "segments.csv", segments=True))
    assert segments and all(s.end >= s.start for s in segments)


def test_export_to_bad_folder_shows_dialog(qtbot, window, tmp_path, dialogs):
    assert window.export_events(tmp_path / "missing" / "events.jsonl") is None
    assert dialogs and "missing" in dialogs[0][1]


def test_collect_clips_into_label_folders(qtbot, window, clip, tmp_path):
    window.start(str(clip), None)
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=TIMEOUT)
    panel = window.collect_panel
    panel.label_edit.setText("wave")
    panel.seconds_spin.setValue(0.5)
    with qtbot.waitSignal(window.outputs.clip_finished, timeout=TIMEOUT):
        panel.record_button.click()
    qtbot.waitUntil(lambda: panel.record_button.isEnabled(), timeout=TIMEOUT)
    clips = list((tmp_path / "dataset" / "wave").glob("*.mp4"))
    assert len(clips) == 1
    assert _frames_in(clips[0]) == 15  # 0.5 s at the clip's 30 fps
    assert panel.counts == {"wave": 1}
    assert panel.counts_list.item(0).text() == "wave: 1 clip"


def test_bad_clip_label_is_refused(qtbot, window, clip, dialogs):
    window.start(str(clip), None)
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=TIMEOUT)
    assert window.record_clip("../etc", 1.0) is None
    assert dialogs and "`label`" in dialogs[0][1]


def test_clip_ends_with_the_source(qtbot, window, clip, tmp_path):
    window.start(str(clip), None)
    qtbot.waitUntil(lambda: window.view.shown_index is not None, timeout=TIMEOUT)
    window.seek(75)
    qtbot.waitUntil(lambda: (window.view.shown_index or 0) >= 75, timeout=TIMEOUT)
    window.record_clip("walk", 30.0)  # longer than what is left of the file
    qtbot.waitUntil(lambda: window.collect_panel.record_button.isEnabled(), timeout=TIMEOUT)
    (saved,) = (tmp_path / "dataset" / "walk").glob("*.mp4")
    assert 0 < _frames_in(saved) <= 15
    assert window.collect_panel.counts == {"walk": 1}
