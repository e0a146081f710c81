"""Decode-ahead and writer queues are bounded in bytes as well as frames: a 4K file costs little more."""

from __future__ import annotations

import cv2
import numpy as np

from app.capture import open_capture
from app.capture.file import DECODE_AHEAD_BYTES
from app.frames import frames_within
from app.outputs.writer import FrameWriter


def test_frames_within_caps_large_frames():
    assert frames_within(32, 640, 480, DECODE_AHEAD_BYTES) == 32
    assert frames_within(32, 1920, 1080, DECODE_AHEAD_BYTES) == 8
    assert frames_within(32, 3840, 2160, DECODE_AHEAD_BYTES) == 2
    assert frames_within(32, None, None, DECODE_AHEAD_BYTES) == 32


def _clip(path, w, h, n=3):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (w, h))
    for _ in range(n):
        writer.write(np.zeros((h, w, 3), np.uint8))
    writer.release()
    return path


def test_file_capture_queue_follows_the_frame_size(tmp_path):
    small = open_capture(str(_clip(tmp_path / "s.avi", 320, 240)))
    big = open_capture(str(_clip(tmp_path / "b.avi", 1920, 1080)))
    try:
        assert small._queue.maxsize == 32
        assert big._queue.maxsize == 8 and big._queue.maxsize * 1920 * 1080 * 3 <= DECODE_AHEAD_BYTES
    finally:
        small.stop()
        big.stop()


def test_writer_queue_follows_the_frame_size(tmp_path):
    small = FrameWriter(tmp_path / "s.avi", 60.0, frame_size=(480, 640))
    big = FrameWriter(tmp_path / "b.avi", 60.0, frame_size=(2160, 3840))
    try:
        assert small._queue.maxsize == 60
        assert big._queue.maxsize == 2
    finally:
        small.close()
        big.close()
