"""Tests for app/capture/sources.py: parsing, info, and one-line errors for every bad input."""

from __future__ import annotations

import math
import threading
import time

import cv2
import numpy as np
import pytest

from app.capture.sources import (
    SourceError,
    list_cameras,
    open_video,
    parse_source,
    probe_source,
    source_name,
)

WHAT_TO_PASS = "Pass a video file, a camera index such as 0, or an rtsp:// or http(s):// URL."


class FakeCamera:
    """A cv2.VideoCapture stand-in."""

    def __init__(self, opened: bool = True, fps: float = 30.0) -> None:
        self.opened, self.fps, self.released = opened, fps, False

    def read(self):
        return True, np.zeros((4, 6, 3), np.uint8)

    def release(self) -> None:
        self.released = True

    def get(self, prop: int) -> float:
        return {cv2.CAP_PROP_FPS: self.fps, cv2.CAP_PROP_FRAME_WIDTH: 6.0}.get(prop, 4.0)

    def set(self, prop: int, value: float) -> bool:
        return False

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened


def cameras_at(*indices: int, fps: float = 30.0):
    return lambda source: FakeCamera(opened=source in indices, fps=fps)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("clips") / "clip.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (32, 24))
    for i in range(12):
        writer.write(np.full((24, 32, 3), i * 10, np.uint8))
    writer.release()
    return path


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(SourceError) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_parse_source():
    assert parse_source("0") == 0
    assert parse_source(1) == 1
    assert parse_source(" 2 ") == 2
    assert parse_source("rtsp://cam/stream") == "rtsp://cam/stream"
    assert parse_source("https://example.com/a.mp4") == "https://example.com/a.mp4"
    assert parse_source("videos/walk.mp4") == "videos/walk.mp4"


def test_source_name_drops_password():
    assert source_name("rtsp://user:secret@10.0.0.2:554/live") == "rtsp://10.0.0.2:554/live"
    assert source_name(0) == "camera 0"
    assert source_name("/a/b/walk.avi") == "walk.avi"


def test_file_info(clip):
    cap, info = open_video(clip)
    try:
        assert (info.kind, info.name, info.fps) == ("file", "clip.avi", 25.0)
        assert (info.frame_count, info.width, info.height) == (12, 32, 24)
        ok, frame = cap.read()  # the validation read must not skip frame 0
        assert ok and frame.mean() < 5
    finally:
        cap.release()
    assert probe_source(clip) == info


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.mp4")
    assert error_of(probe_source, path) == f"{path}: no such file. {WHAT_TO_PASS}"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert "empty (0 bytes)" in error_of(probe_source, str(path))


def test_folder(tmp_path):
    assert "is a folder" in error_of(probe_source, str(tmp_path))


def test_not_a_video(tmp_path):
    path = tmp_path / "notes.avi"
    path.write_text("these are not frames\n" * 50)
    message = error_of(probe_source, str(path))
    assert message.startswith(f"{path}: not a video OpenCV can decode.")


def test_camera_not_found_lists_cameras():
    message = error_of(probe_source, "3", factory=cameras_at(0))
    assert message.startswith("camera 3 not found; cameras found: 0.")
    assert "no cameras found" in error_of(probe_source, 3, factory=cameras_at())


def test_real_camera_index_that_does_not_exist():
    assert error_of(probe_source, 63).startswith("camera 63 not found;")


def test_list_cameras_releases_every_probe():
    made = []

    def factory(index):
        made.append(FakeCamera(opened=index in (0, 2)))
        return made[-1]

    assert list_cameras(4, factory=factory) == [0, 2]
    assert len(made) == 4 and all(cam.released for cam in made)


@pytest.mark.parametrize("reported", [0.0, math.nan, 15.0])
def test_camera_fps_falls_back_to_30(reported):
    cap, info = open_video(0, factory=cameras_at(0, fps=reported))
    cap.release()
    assert info.kind == "camera" and info.frame_count is None
    assert info.fps == (15.0 if reported == 15.0 else 30.0)


def test_dead_url_fails_fast():
    start = time.monotonic()
    message = error_of(probe_source, "http://127.0.0.1:9/x")
    assert time.monotonic() - start < 4.0
    assert "127.0.0.1:9" in message


def test_hanging_open_is_bounded_and_released_late():
    cam = FakeCamera()
    opened = threading.Event()

    def slow_factory(source):
        time.sleep(1.0)
        opened.set()
        return cam

    start = time.monotonic()
    message = error_of(probe_source, "rtsp://10.9.9.9/live", factory=slow_factory, timeout=0.2)
    assert time.monotonic() - start < 0.8
    assert message.startswith("rtsp://10.9.9.9/live: did not answer within 0.2 s.")
    assert opened.wait(2.0)
    deadline = time.monotonic() + 2.0
    while not cam.released and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cam.released
