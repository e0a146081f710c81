from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.outputs import recorder as recorder_module
from app.outputs.files import OutputError
from app.outputs.recorder import VideoRecorder

H, W = 48, 64


def frame(i: int, h: int = H, w: int = W) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, :, 1] = (i * 25) % 256
    cv2.rectangle(img, (i % (w - 8), 4), (i % (w - 8) + 8, 12), (255, 255, 255), -1)
    return img


def read_back(path) -> tuple[int, tuple[int, int] | None]:
    """Decodes every frame; returns (count, (h, w) of the first frame)."""
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
    rec = VideoRecorder(path, fps=10)
    for i in range(7):
        assert rec.write(frame(i))
    assert not path.exists(), "the final path must appear only when complete"
    assert rec.partial_path.exists() and rec.partial_path.suffix == ext
    assert rec.close() == path
    assert rec.close() == path  # idempotent
    assert not rec.partial_path.exists()
    assert rec.frames_written == 7
    assert read_back(path) == (7, (H, W))


def test_odd_frames_are_converted_and_resized(tmp_path):
    path = tmp_path / "out.avi"
    with VideoRecorder(path, fps=10, frame_size=(H, W)) as rec:
        rec.write(frame(0))
        rec.write(np.full((H, W), 128, np.uint8))  # gray
        rec.write(np.full((H, W, 4), 200, np.uint8))  # BGRA
        rec.write(frame(3, h=2 * H, w=W // 2))  # another size
    assert read_back(path) == (4, (H, W))


def test_interrupted_run_leaves_a_playable_file(tmp_path):
    path = tmp_path / "out.mp4"
    with pytest.raises(KeyboardInterrupt):
        with VideoRecorder(path, fps=10) as rec:
            for i in range(20):
                rec.write(frame(i))
                if i == 4:
                    raise KeyboardInterrupt
    assert read_back(path) == (5, (H, W))


def test_write_error_stops_recording_and_keeps_what_was_written(tmp_path, monkeypatch):
    real_writer = cv2.VideoWriter

    class FailingWriter:
        """A real writer whose disk fills up after three frames."""

        def __init__(self, *args):
            self._writer = real_writer(*args)
            self._frames = 0

        def isOpened(self):
            return self._writer.isOpened()

        def write(self, img):
            if self._frames == 3:
                raise OSError(28, "No space left on device")
            self._frames += 1
            self._writer.write(img)

        def release(self):
            self._writer.release()

    monkeypatch.setattr(recorder_module.cv2, "VideoWriter", FailingWriter)
    path = tmp_path / "out.mp4"
    rec = VideoRecorder(path, fps=10)
    results = [rec.write(frame(i)) for i in range(6)]
    assert results == [True] * 3 + [False] * 3
    assert rec.error is not None and "No space left" in rec.error and "\n" not in rec.error
    assert not rec.recording
    monkeypatch.undo()
    assert rec.close() == path
    assert read_back(path) == (3, (H, W))


def test_no_frames_leaves_no_file(tmp_path):
    path = tmp_path / "out.mp4"
    rec = VideoRecorder(path, fps=10, frame_size=(H, W))
    assert rec.close() is None
    assert list(tmp_path.iterdir()) == []


def test_bad_extension_and_folder(tmp_path):
    with pytest.raises(OutputError, match=r"\.mkv.*use \.mp4 or \.avi"):
        VideoRecorder(tmp_path / "out.mkv", fps=10)
    with pytest.raises(OutputError, match="does not exist"):
        VideoRecorder(tmp_path / "missing" / "out.mp4", fps=10)
    with pytest.raises(ValueError, match="`fps`.*Received: fps=0"):
        VideoRecorder(tmp_path / "out.mp4", fps=0)
    with pytest.raises(ValueError, match="`frame_size`"):
        VideoRecorder(tmp_path / "out.mp4", fps=10, frame_size=(0, 10))


def test_float_frames_record_scaled_not_black(tmp_path):
    # Float frames are [0, 1] everywhere (preprocess_frame's convention); clipping them
    # to uint8 instead of scaling used to record a black video.
    path = tmp_path / "float.avi"
    gray = np.full((H, W, 3), 0.5, np.float32)
    with VideoRecorder(path, fps=10) as rec:
        for _ in range(3):
            assert rec.write(gray)
    cap = cv2.VideoCapture(str(path))
    ok, image = cap.read()
    cap.release()
    assert ok
    assert abs(float(image.mean()) - 128) < 8, image.mean()
