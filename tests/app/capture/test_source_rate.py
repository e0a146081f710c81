"""Tests for the source's rate (app/capture/base.py, app/frames.py): a file's own fps, a live
source's measured rate whatever it reports, and how both are written for the user."""

from __future__ import annotations

import pytest

from app.capture import open_capture
from app.capture.paced_camera import PacedCamera, synthetic_frames
from app.frames import RateMeter, source_rate_text
from app.outputs.overlay import status_text
from tests.engine_fixtures import wait_for
from tests.video_fixtures import write_clip


class ClaimsTwentyFive(PacedCamera):
    """A camera paced at 10 fps that reports 25, as FFmpeg does for an MJPEG stream."""

    def get(self, prop: int) -> float:
        import cv2

        return 25.0 if prop == cv2.CAP_PROP_FPS else super().get(prop)


def test_live_rate_is_measured_not_reported():
    frames = synthetic_frames(4, size=(24, 32))
    capture = open_capture(0, factory=lambda _source: ClaimsTwentyFive(frames, fps=10.0))
    with capture:
        assert capture.info.fps == 25.0
        assert wait_for(lambda: capture.frames_read >= 12, timeout=30)
        measured, mean = capture.source_fps(), capture.mean_fps()
    # A paced source can only come late under load, never early: at most 10 fps and jitter.
    assert 4.0 < measured < 11.0
    assert 4.0 < mean < 11.0


def test_file_rate_is_its_own_however_fast_it_is_read(tmp_path):
    path = write_clip(tmp_path / "clip.avi", n_frames=20, fps=12.5)
    with open_capture(str(path), realtime=False) as capture:
        assert wait_for(lambda: capture.read(0.5) is None and capture.ended, timeout=30)
        assert capture.source_fps() == 12.5


def test_rate_meter_mean_counts_from_the_first_event_to_the_last():
    meter = RateMeter(window_s=1.0, max_events=4)
    assert meter.mean_rate() == 0.0
    for k in range(11):
        meter.tick(100.0 + 0.1 * k)  # more events than it keeps times for
    assert meter.mean_rate() == pytest.approx(10.0)
    assert meter.rate(now=101.0) == pytest.approx(10.0)
    meter.clear()
    assert meter.mean_rate() == 0.0


@pytest.mark.parametrize(("kind", "source", "read", "text"), [
    ("file", 60.0, 20.04, "file 60 fps | processing 20.0 fps"),
    ("file", 30000 / 1001, 29.97, "file 29.97 fps | processing 30.0 fps"),
    ("stream", 9.96, 9.96, "stream 10.0 fps"),
    ("camera", 0.0, 0.0, "camera 0.0 fps"),
    ("", 0.0, 0.0, "source 0.0 fps"),
])
def test_source_rate_text(kind, source, read, text):
    assert source_rate_text(kind, source, read) == text


def test_status_line_says_the_files_rate_and_the_processing_rate_apart():
    stats = {"source_kind": "file", "source_fps": 60.0, "capture_fps": 20.0, "model_fps": 10.0,
             "device": "CPU", "runtime": "LiteRT"}
    assert status_text(stats).startswith("file 60 fps | processing 20.0 fps | model 10.0 fps |")
    stream = {**stats, "source_kind": "stream", "source_fps": 10.0, "capture_fps": 10.0}
    assert status_text(stream).startswith("stream 10.0 fps | model 10.0 fps |")
