"""A camera or stream that fails mid-stream (tests/app/capture/test_capture.py has the basics):
the capture says so, backs off between reopen attempts, and gives a stream longer to return."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.capture import live as live_module
from app.capture import open_capture

URL = "rtsp://admin:secret@cam.local/live"


class Stream:
    """A VideoCapture-like source: `frames` good reads, then failing ones; `opened` as given."""

    def __init__(self, frames: int | None = None, opened: bool = True) -> None:
        self.frames, self.opened, self.count = frames, opened, 0

    def read(self):
        time.sleep(0.005)
        if self.frames is not None and self.count >= self.frames:
            return False, None
        self.count += 1
        return True, np.zeros((6, 8, 3), np.uint8)

    def release(self) -> None:
        self.opened = False

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return False

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return self.opened


def drops_then_returns(failed_opens: int):
    """A factory: a stream that drops after 3 frames and reopens on the attempt after
    `failed_opens` failed ones."""
    made: list[Stream] = []

    def factory(source):
        n = len(made)
        made.append(Stream(frames=3) if n == 0 else Stream(opened=n > failed_opens))
        return made[-1]

    return factory, made


class RecordingEvent(threading.Event):
    """A stop event that remembers how long each wait asked for: the backoff, untimed."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout=None) -> bool:
        self.waits.append(timeout)
        return super().wait(timeout)


def read_until(capture, predicate, limit_s: float = 10.0) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate() and time.monotonic() < deadline:
        capture.read(timeout=0.05)


def test_a_dropped_stream_says_so_backs_off_and_reconnects(monkeypatch):
    monkeypatch.setattr(live_module, "BACKOFF_S", (0.01, 0.04))
    factory, made = drops_then_returns(failed_opens=5)
    capture = open_capture(URL, factory=factory)
    notices: list[str] = []
    capture.on_notice = notices.append
    capture._stop = RecordingEvent()
    with capture.start():
        read_until(capture, lambda: capture.reconnects == 1 and capture.frames_read >= 10)
        assert capture.reconnects == 1 and capture.frames_read >= 10 and not capture.ended
    assert capture._stop.waits[:6] == pytest.approx([0.01, 0.02, 0.04, 0.04, 0.04, 0.04])
    assert notices[0] == "rtsp://cam.local/live: lost; reconnecting (for up to 60 s)..."
    assert notices[1].startswith("rtsp://cam.local/live: reconnected after ")
    assert all("secret" not in line for line in notices)
    assert all(stream.opened is False for stream in made[:-1])  # every failed try released


@pytest.mark.parametrize("source, window", [(0, 0.2), (URL, 0.6)])
def test_a_stream_gets_longer_than_a_camera_to_come_back(monkeypatch, source, window):
    monkeypatch.setattr(live_module, "STREAM_RECONNECT_S", 0.6)
    monkeypatch.setattr(live_module, "BACKOFF_S", (0.01, 0.05))
    factory, _ = drops_then_returns(failed_opens=10_000)
    with open_capture(source, factory=factory, reconnect_s=0.2) as capture:
        read_until(capture, lambda: capture.ended)
        assert capture.ended
    assert f"did not come back within {window:g} s" in capture.end_reason


def test_a_failing_notice_handler_does_not_end_the_capture(monkeypatch):
    monkeypatch.setattr(live_module, "BACKOFF_S", (0.01, 0.01))
    factory, _ = drops_then_returns(failed_opens=1)
    capture = open_capture(0, factory=factory)

    def broken(line: str) -> None:
        raise RuntimeError("a consumer's bug")

    capture.on_notice = broken
    with capture.start():
        read_until(capture, lambda: capture.reconnects == 1 and capture.frames_read >= 6)
        assert capture.reconnects == 1 and not capture.ended
