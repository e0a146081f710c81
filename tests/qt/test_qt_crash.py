"""The GUI's recording killed with SIGKILL: the video and its events file stay readable."""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import pytest

from tests.engine_fixtures import wait_for
from tests.paths import REPO
from tests.process_helpers import reaped, sigkill, whole_json_lines
from tests.qt.qt_helpers import CLIP_FPS

# Frames a kill may cost: the writer's queue (1 s), the frame being encoded, and the open
# MP4 fragment (1 s); see app/outputs/writer.py and app/outputs/encoder.py.
MAY_LOSE = 2 * int(CLIP_FPS) + 1

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def frames_in(path) -> int:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), f"{path} does not open"
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_sigkill_while_recording_leaves_a_playable_video_and_whole_events(clip, model_dir, tmp_path):
    out, events = tmp_path / "rec.mp4", tmp_path / "rec.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.qt.record_until_killed", str(clip), str(model_dir), str(out)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with reaped(proc):
        assert proc.stdout.readline() == "recording\n", proc.communicate(timeout=30)
        recorded = wait_for(lambda: events.exists() and events.read_text().count("\n") >= 90
                            or proc.poll() is not None, timeout=120, interval=0.05)
        assert recorded and proc.poll() is None, proc.communicate(timeout=30)
        sigkill(proc)
    lines = whole_json_lines(events)
    assert len(lines) >= 90 and all({"frame", "label", "probs"} <= set(e) for e in lines)
    # Every line's frame was pushed to the recorder before the line was written.
    assert len(lines) - MAY_LOSE <= frames_in(out)
