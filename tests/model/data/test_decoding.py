"""read_video and resample_indices: decoded frames, fps, damaged files and frame times."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from model.data import decoding as video_io
from model.data.decoding import VideoDecodeWarning, read_video, resample_indices
from model.errors import DatasetError
from tests.video_fixtures import H, W, frame_index, truncate, write_clip


@pytest.mark.parametrize("fps", [25.0, 30.0])
def test_read_video_returns_every_frame_in_order_and_the_fps(tmp_path, fps):
    path = write_clip(tmp_path / "clip.avi", n_frames=20, fps=fps)
    frames, got_fps = read_video(path)
    assert frames.dtype == np.uint8 and frames.shape == (20, H, W, 3)
    assert got_fps == pytest.approx(fps)
    assert [frame_index(f) for f in frames] == list(range(20))


def test_missing_and_unreadable_files_raise_dataset_error_naming_the_file(tmp_path):
    with pytest.raises(DatasetError, match="not found.*nope.avi"):
        read_video(tmp_path / "nope.avi")
    junk = tmp_path / "junk.avi"
    junk.write_bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(DatasetError, match="junk.avi"):
        read_video(junk)


def test_truncated_file_warns_or_raises_in_strict_mode(tmp_path):
    path = truncate(write_clip(tmp_path / "cut.avi", n_frames=40), keep=0.6)
    with pytest.warns(VideoDecodeWarning, match=r"truncated: decoded \d+ of 40"):
        frames, _ = read_video(path)
    assert 0 < len(frames) < 38
    with pytest.raises(DatasetError, match="truncated"):
        read_video(path, strict=True)


def test_zero_fps_falls_back_to_default(tmp_path, monkeypatch):
    path = write_clip(tmp_path / "clip.avi", n_frames=5)
    real = cv2.VideoCapture

    class NoFps:
        def __init__(self, p):
            self._cap = real(p)

        def get(self, prop):
            return 0.0 if prop == cv2.CAP_PROP_FPS else self._cap.get(prop)

        def __getattr__(self, name):
            return getattr(self._cap, name)

    monkeypatch.setattr(video_io.cv2, "VideoCapture", NoFps)
    assert read_video(path)[1] == video_io.DEFAULT_FPS


@pytest.mark.parametrize(
    ("n", "src", "dst", "expected"),
    [
        (25, 25.0, 10.0, [0, 3, 5, 8, 10, 13, 15, 18, 20, 23]),  # ties (2.5, 7.5...) go later
        (30, 30.0, 10.0, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]),
        (26, 25.0, 10.0, [0, 3, 5, 8, 10, 13, 15, 18, 20, 23, 25]),
        (4, 10.0, 25.0, [0, 0, 1, 1, 2, 2, 2, 3, 3, 3]),  # upsampling repeats frames
        (0, 25.0, 10.0, []),
        (1, 30.0, 10.0, [0]),
    ],
)
def test_resample_indices_exact_values(n, src, dst, expected):
    got = resample_indices(n, src, dst)
    assert got.dtype == np.int64
    assert got.tolist() == expected


@pytest.mark.parametrize(("src", "n"), [(25.0, 30), (30.0, 36), (29.97, 35)])
def test_resampled_frame_times_are_nearest_to_the_target_times(src, n):
    idx = resample_indices(n, src, 10.0)
    # About 1.2 s of video is 12 frames at 10 fps, whatever the source rate.
    assert len(idx) == 12
    target = np.arange(len(idx)) / 10.0
    assert np.all(np.abs(idx / src - target) <= 0.5 / src + 1e-9)
    assert np.all(np.diff(idx) >= 0) and idx.max() < n


def test_resample_indices_rejects_bad_rates():
    with pytest.raises(ValueError, match="src_fps"):
        resample_indices(10, 0.0, 10.0)
    with pytest.raises(ValueError, match="n_frames"):
        resample_indices(-1, 25.0, 10.0)


def test_transform_is_applied_to_each_frame_while_decoding(tmp_path):
    path = write_clip(tmp_path / "clip.avi", n_frames=6)
    small, _ = read_video(path, transform=lambda f: cv2.resize(f, (8, 4))[:, :, :1])
    assert small.shape == (6, 4, 8, 1)
    assert [frame_index(f) for f in small] == list(range(6))
