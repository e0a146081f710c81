"""Tests for app/outputs/recorder.py: files that play at every moment, and faults that cost
nothing already written (a full disk, a folder removed or made read-only, SIGKILL)."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys

import av
import cv2
import numpy as np
import pytest

from app.outputs import recorder as recorder_module
from app.outputs.files import OutputError
from app.outputs.recorder import VideoRecorder
from tests.paths import REPO
from tests.process_helpers import reaped, sigkill

H, W = 48, 64
FPS = 10  # a keyframe, so an MP4 fragment, every 10 frames


def frame(i: int, h: int = H, w: int = W) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, :, 1] = (i * 25) % 256
    cv2.rectangle(img, (i % (w - 8), 4), (i % (w - 8) + 8, 12), (255, 255, 255), -1)
    return img


def read_back(path) -> tuple[int, tuple[int, int] | None]:
    """Decodes every frame as the app does (OpenCV); returns (count, (h, w) of the first)."""
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), f"{path} does not open"
    count, size = 0, None
    while True:
        ok, img = cap.read()
        if not ok:
            break
        size = size or img.shape[:2]
        count += 1
    cap.release()
    return count, size


@pytest.mark.parametrize("ext", [".mp4", ".avi"])
def test_recording_is_playable_with_every_frame(tmp_path, ext):
    path = tmp_path / f"out{ext}"
    rec = VideoRecorder(path, fps=FPS)
    for i in range(7):
        assert rec.write(frame(i))
    assert path.exists(), "frames go straight to the path the user gave"
    assert rec.close() == path
    assert rec.close() == path  # idempotent
    assert rec.frames_written == 7
    assert read_back(path) == (7, (H, W))
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("ext, playable", [(".mp4", 30), (".avi", 35)])
def test_file_plays_while_it_is_being_written(tmp_path, ext, playable):
    # MP4: three whole 1 s fragments are out (the fourth is still open); AVI: every frame.
    path = tmp_path / f"live{ext}"
    with VideoRecorder(path, fps=FPS) as rec:
        for i in range(35):
            rec.write(frame(i))
        assert read_back(path)[0] >= playable
    assert read_back(path)[0] == 35


def test_mp4_is_h264_where_pyav_has_it(tmp_path):
    path = tmp_path / "codec.mp4"
    with VideoRecorder(path, fps=FPS) as rec:
        rec.write(frame(0))
    expected = "h264" if "libx264" in av.codecs_available else "mpeg4"
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == expected
    assert rec.codec in ("libx264", "mpeg4")


def test_odd_frames_are_converted_and_resized(tmp_path):
    path = tmp_path / "out.avi"
    with VideoRecorder(path, fps=FPS, frame_size=(H, W)) as rec:
        rec.write(frame(0))
        rec.write(np.full((H, W), 128, np.uint8))  # gray
        rec.write(np.full((H, W, 4), 200, np.uint8))  # BGRA
        rec.write(frame(3, h=2 * H, w=W // 2))  # another size
    assert read_back(path) == (4, (H, W))


def test_odd_sides_are_rounded_down_to_even(tmp_path):
    path = tmp_path / "odd.mp4"
    with VideoRecorder(path, fps=FPS) as rec:
        for i in range(3):
            assert rec.write(frame(i, h=H + 1, w=W + 3))
    assert read_back(path) == (3, (H, W + 2))


def test_interrupted_run_leaves_a_playable_file(tmp_path):
    path = tmp_path / "out.mp4"
    with pytest.raises(KeyboardInterrupt):
        with VideoRecorder(path, fps=FPS) as rec:
            for i in range(20):
                rec.write(frame(i))
                if i == 4:
                    raise KeyboardInterrupt
    assert read_back(path) == (5, (H, W))


class FullDisk(io.FileIO):
    """A real file on a disk with `room` bytes: a short write, then ENOSPC."""

    room = 0

    def write(self, data) -> int:
        left = self.room - self.tell()
        if left <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(bytes(data)[:left])


@pytest.mark.parametrize("ext", [".mp4", ".avi"])
def test_full_disk_stops_the_recording_and_keeps_what_was_written(tmp_path, monkeypatch, ext):
    path = tmp_path / f"full{ext}"
    with VideoRecorder(tmp_path / f"probe{ext}", fps=FPS) as probe:
        for i in range(25):
            probe.write(frame(i))
    FullDisk.room = (tmp_path / f"probe{ext}").stat().st_size * 2 // 3  # room for about 16 frames
    monkeypatch.setattr(recorder_module, "open", lambda p, *a, **k: FullDisk(p, "w+"), raising=False)

    rec = VideoRecorder(path, fps=FPS)
    results = [rec.write(frame(i)) for i in range(40)]
    stopped = results.index(False)
    assert 0 < stopped < 40 and not any(results[stopped:])
    assert not rec.recording and rec.frames_written == stopped
    assert rec.error.startswith(f"Recording to {path} stopped after {stopped} frames: No space left")
    assert "\n" not in rec.error
    assert rec.close() == path
    playable, _ = read_back(path)
    assert 0 < playable <= stopped
    assert path.stat().st_size <= FullDisk.room  # cut back to its last whole fragment, not grown


def test_folder_removed_mid_recording_says_so(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    rec = VideoRecorder(folder / "x.mp4", fps=FPS)
    for i in range(12):
        assert rec.write(frame(i))
    shutil.rmtree(folder)
    results = [rec.write(frame(i)) for i in range(12, 40)]
    assert False in results  # noticed at the next fragment, within a second of video
    assert "deleted (or its folder removed)" in rec.error and "plays up to" not in rec.error
    assert rec.close() is None


def test_folder_made_read_only_mid_recording_costs_nothing(tmp_path, monkeypatch):
    # Nothing is created or renamed after the first frame, so a folder that turns read-only
    # (chmod, or a share remounted) cannot cost the recording. Root ignores chmod, so every
    # call that would need the folder's permission fails as it would for a user.
    rec = VideoRecorder(tmp_path / "x.mp4", fps=FPS)
    for i in range(5):
        rec.write(frame(i))
    os.chmod(tmp_path, 0o555)
    try:
        def denied(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        for name in ("replace", "rename", "link", "unlink"):
            monkeypatch.setattr(recorder_module.os, name, denied)
        for i in range(5, 25):
            assert rec.write(frame(i))
        assert rec.close() == tmp_path / "x.mp4"
        assert rec.error is None
    finally:
        monkeypatch.undo()
        os.chmod(tmp_path, 0o755)
    assert read_back(tmp_path / "x.mp4") == (25, (H, W))


KILLED_WRITER = """
import sys
import numpy as np
from app.outputs.recorder import VideoRecorder
rec = VideoRecorder(sys.argv[1], fps=10)
i = 0
while True:
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :, 1] = (i * 25) % 256
    rec.write(image)
    i += 1
    print(i, flush=True)
"""


@pytest.mark.parametrize("ext", [".mp4", ".avi"])
def test_sigkill_mid_recording_leaves_a_playable_file(tmp_path, ext):
    path = tmp_path / f"killed{ext}"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with reaped(proc):
        written = 0
        while written < 45:
            line = proc.stdout.readline()
            assert line, proc.communicate(timeout=30)[1]
            written = int(line)
        sigkill(proc)
    playable, size = read_back(path)
    # At most the open fragment (one keyframe interval) is lost.
    assert written - FPS <= playable and size == (H, W)


def test_no_frames_leaves_no_file(tmp_path):
    path = tmp_path / "out.mp4"
    rec = VideoRecorder(path, fps=FPS, frame_size=(H, W))
    assert rec.close() is None
    assert list(tmp_path.iterdir()) == []


def test_bad_extension_and_folder(tmp_path):
    with pytest.raises(OutputError, match=r"\.mkv.*use \.mp4 or \.avi"):
        VideoRecorder(tmp_path / "out.mkv", fps=FPS)
    with pytest.raises(OutputError, match="does not exist"):
        VideoRecorder(tmp_path / "missing" / "out.mp4", fps=FPS)
    with pytest.raises(ValueError, match="`fps`.*Received: fps=0"):
        VideoRecorder(tmp_path / "out.mp4", fps=0)
    with pytest.raises(ValueError, match="`frame_size`"):
        VideoRecorder(tmp_path / "out.mp4", fps=FPS, frame_size=(0, 10))


def test_float_frames_record_scaled_not_black(tmp_path):
    # Float frames are [0, 1] everywhere (preprocess_frame's convention); clipping them
    # to uint8 instead of scaling used to record a black video.
    path = tmp_path / "float.avi"
    gray = np.full((H, W, 3), 0.5, np.float32)
    with VideoRecorder(path, fps=FPS) as rec:
        for _ in range(3):
            assert rec.write(gray)
    cap = cv2.VideoCapture(str(path))
    ok, image = cap.read()
    cap.release()
    assert ok
    assert abs(float(image.mean()) - 128) < 8, image.mean()
