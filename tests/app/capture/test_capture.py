"""Tests for app/capture/__init__.py: live drops, exact file order, seek, pause, ends and stopping."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from app.capture import FileCapture, LiveCapture, open_capture
from app.capture.sources import SourceError

STEP = 6  # pixel value = index * STEP survives MJPG within +-STEP/2


def write_clip(path, n: int, fps: float, size=(32, 24)) -> str:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(n):
        writer.write(np.full((size[1], size[0], 3), i * STEP % 256, np.uint8))
    writer.release()
    return str(path)


def pixel_index(frame) -> int:
    return round(float(frame.image.mean()) / STEP)


def capture_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("actionlens-")]


@pytest.fixture(autouse=True)
def no_threads_left():
    yield
    deadline = time.monotonic() + 3.0
    while capture_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert capture_threads() == []


@pytest.fixture(scope="module")
def clip40(tmp_path_factory) -> str:
    return write_clip(tmp_path_factory.mktemp("clips") / "clip40.avi", 40, 25.0)


def read_all(capture, limit: int = 1000) -> list:
    frames = []
    while not capture.ended and len(frames) < limit:
        frame = capture.read(timeout=1.0)
        if frame is not None:
            frames.append(frame)
    return frames


class FakeCamera:
    """A camera at `fps` that fails after `frames` reads (None: never)."""

    def __init__(self, fps: float = 100.0, frames: int | None = None, image=None) -> None:
        self.fps, self.frames, self.count, self.released = fps, frames, 0, False
        self.image = np.zeros((6, 8, 3), np.uint8) if image is None else image

    def read(self):
        time.sleep(1.0 / self.fps)
        if self.frames is not None and self.count >= self.frames:
            return False, None
        self.count += 1
        return True, self.image

    def release(self) -> None:
        self.released = True

    def get(self, prop: int) -> float:
        return self.fps if prop == cv2.CAP_PROP_FPS else 0.0

    def set(self, prop: int, value: float) -> bool:
        return False

    def isOpened(self) -> bool:  # noqa: N802
        return True


class ClosedCamera(FakeCamera):
    def isOpened(self) -> bool:  # noqa: N802
        return False


def test_file_order_is_exact_with_a_slow_consumer(clip40):
    capture = open_capture(clip40, realtime=False, queue_size=2)
    assert isinstance(capture, FileCapture) and not capture.is_live
    frames = []
    with capture:
        while not capture.ended:
            frame = capture.read(timeout=1.0)
            if frame is not None:
                frames.append(frame)
                if len(frames) % 10 == 0:
                    time.sleep(0.05)  # let the producer block on the full queue
    assert [f.index for f in frames] == list(range(40))
    assert [pixel_index(f) for f in frames] == list(range(40))
    assert frames[10].source_time == pytest.approx(10 / 25.0)
    assert frames[5].image.shape == (24, 32, 3)
    assert capture.dropped == 0 and capture.frames_read == 40
    assert capture.end_reason is None and capture.position == 39
    assert capture.read(timeout=0.5) is None


def test_seek_delivers_the_requested_index_next(clip40):
    with open_capture(clip40, realtime=False, queue_size=4) as capture:
        assert capture.read(timeout=2.0).index == 0
        time.sleep(0.05)  # the queue fills with frames that must not show up after the seek
        assert capture.backlog > 0
        for target in (30, 5, 35, 0, 39):
            capture.seek(target)
            frame = capture.read(timeout=2.0)
            assert (frame.index, pixel_index(frame)) == (target, target)
            assert capture.position == target
        capture.seek(20)
        rest = read_all(capture)
        assert [f.index for f in rest] == list(range(20, 40))
        with pytest.raises(ValueError, match="`index` must be in"):
            capture.seek(40)


def test_pause_stops_delivery_and_resume_continues(clip40):
    with open_capture(clip40, realtime=False, queue_size=3) as capture:
        last = capture.read(timeout=2.0).index
        capture.pause()
        while (frame := capture.read(timeout=0.2)) is not None:  # what was queued before
            last = frame.index
        produced = capture.frames_read
        time.sleep(0.3)
        assert capture.read(timeout=0) is None
        assert capture.frames_read <= produced + 1  # at most the frame it held at pause
        capture.seek(10)  # while paused: exactly that one frame
        assert capture.read(timeout=2.0).index == 10
        assert capture.read(timeout=0.2) is None
        capture.resume()
        assert [f.index for f in read_all(capture)] == list(range(11, 40))
    assert last < 39


def test_loop_restarts_and_can_be_turned_off(tmp_path):
    path = write_clip(tmp_path / "ten.avi", 10, 25.0)
    with open_capture(path, realtime=False, loop=True, queue_size=4) as capture:
        indices = [capture.read(timeout=2.0).index for _ in range(25)]
        assert indices == list(range(10)) * 2 + list(range(5))
        capture.set_loop(False)
        read_all(capture)
        assert capture.ended and capture.end_reason is None
        capture.set_loop(True)  # after the end: plays again from 0
        assert capture.read(timeout=2.0).index == 0


def test_truncated_file_reports_where_it_stopped(tmp_path):
    path = write_clip(tmp_path / "full.avi", 120, 25.0)
    data = open(path, "rb").read()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.35)])
    with open_capture(str(cut), realtime=False) as capture:
        frames = read_all(capture)
    assert [f.index for f in frames] == list(range(len(frames)))
    assert 0 < len(frames) < 110
    expected = f"cut.avi: stopped decoding at frame {len(frames)} of 120 (file truncated?)"
    assert capture.end_reason == expected


def test_realtime_pacing_follows_fps(tmp_path):
    path = write_clip(tmp_path / "fifty.avi", 20, 50.0)
    with open_capture(path, realtime=True) as capture:
        start = time.monotonic()
        frames = read_all(capture)
        elapsed = time.monotonic() - start
    assert len(frames) == 20
    assert elapsed >= 0.3  # 20 frames at 50 fps: 0.38 s of video
    with pytest.raises(ValueError, match="`speed`"):
        capture.set_speed(0)


@pytest.mark.parametrize("realtime", [False, True])
def test_stop_is_prompt_while_producer_is_blocked(tmp_path, realtime):
    # 2 fps: a realtime producer waits 0.5 s between frames; a fast one fills the queue.
    path = write_clip(tmp_path / "slow.avi", 30, 2.0)
    capture = open_capture(path, realtime=realtime, queue_size=2).start()
    time.sleep(0.2)
    start = time.monotonic()
    assert capture.stop() is True
    assert time.monotonic() - start < 2.0
    assert capture_threads() == []


def test_bad_file_raises_and_leaves_no_thread(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        open_capture(str(tmp_path / "missing.avi"))
    assert capture_threads() == []


def test_dead_url_fails_fast():
    start = time.monotonic()
    with pytest.raises(SourceError, match="127.0.0.1:9"):
        open_capture("http://127.0.0.1:9/x")
    assert time.monotonic() - start < 4.0


def test_hanging_open_is_bounded():
    cam = FakeCamera()

    def slow_factory(source):
        time.sleep(1.0)
        return cam

    start = time.monotonic()
    with pytest.raises(SourceError, match="did not answer within 0.1 s"):
        open_capture("rtsp://10.9.9.9/live", factory=slow_factory, open_timeout=0.1)
    assert time.monotonic() - start < 0.8
    # the capture thread releases what it opened late; no_threads_left waits for it


def test_live_keeps_only_the_latest_frame():
    cams = []

    def factory(source):
        cams.append(FakeCamera(fps=100.0))
        return cams[-1]

    capture = open_capture(0, factory=factory)
    assert isinstance(capture, LiveCapture) and capture.is_live
    assert capture.info.fps == 100.0 and capture.info.kind == "camera"
    frames = []
    with capture:
        for _ in range(5):
            time.sleep(0.1)  # a consumer at 10 fps against a 100 fps camera
            frame = capture.read(timeout=1.0)
            assert frame is not None
            frames.append(frame)
        assert capture.capture_fps() > 10.0
        capture.pause()  # a no-op for live sources, so callers need not check is_live
        capture.resume()
        frames.append(capture.read(timeout=1.0))
        assert frames[-1] is not None
    indices = [f.index for f in frames]
    assert indices == sorted(set(indices))
    assert capture.dropped > 10
    # every frame read is delivered, dropped, or still in the slot
    assert capture.dropped + len(frames) + capture.backlog == capture.frames_read
    assert all(f.source_time <= f.captured_at for f in frames)
    assert cams[0].released


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 4), (1080, 4, 1)])
def test_live_frames_pass_through_untouched(shape):
    image = np.arange(np.prod(shape), dtype=np.uint16).reshape(shape)
    with open_capture(0, factory=lambda s: FakeCamera(image=image)) as capture:
        frame = capture.read(timeout=2.0)
    assert frame.image is image


def test_camera_that_disappears_ends_with_a_reason():
    made = []

    def factory(source):
        made.append(FakeCamera(frames=5) if not made else ClosedCamera())
        return made[-1]

    capture = open_capture(0, factory=factory, reconnect_s=0.3).start()
    start = time.monotonic()
    while not capture.ended and time.monotonic() - start < 3.0:
        capture.read(timeout=0.1)
    assert capture.ended
    assert "camera 0: stopped sending frames and did not come back within 0.3 s" in (
        capture.end_reason or ""
    )
    assert len(made) > 2 and all(cam.released for cam in made)
    assert capture.stop() is True


def test_camera_that_comes_back_keeps_going():
    made = []

    def factory(source):
        kinds = [lambda: FakeCamera(frames=3), ClosedCamera, FakeCamera]
        made.append(kinds[min(len(made), 2)]())
        return made[-1]

    with open_capture(0, factory=factory, reconnect_s=3.0) as capture:
        deadline = time.monotonic() + 3.0
        while capture.frames_read < 10 and time.monotonic() < deadline:
            capture.read(timeout=0.1)
        assert capture.frames_read >= 10 and not capture.ended
    assert capture.end_reason is None and made[0].released
