"""Tests for the timing of recordings (app/outputs/encoder.py, recorder.py, writer.py): a live
source's frames keep their arrival times, whatever rate the source claims; a file's frames
are 1 / fps apart."""

from __future__ import annotations

from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from app.frames import Frame
from app.outputs.recorder import VideoRecorder
from app.outputs.writer import FrameWriter

H, W = 48, 64


def image(i: int) -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:, :, 1] = (i * 37) % 256
    cv2.rectangle(img, (i % (W - 8), 4), (i % (W - 8) + 8, 12), (255, 255, 255), -1)
    return img


def frame_times(path) -> list[float]:
    """Presentation times of the frames that carry a picture, in seconds from the first."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [float(p.pts * p.time_base) for p in container.demux(stream) if p.size and p.pts is not None]
    return [t - times[0] for t in sorted(times)]


def keyframe_times(path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sorted(float(p.pts * p.time_base) for p in container.demux(stream)
                      if p.size and p.is_keyframe)


def opencv_reads(path) -> tuple[int, float]:
    """(frames, fps) as the app's own file capture sees the recording."""
    cap = cv2.VideoCapture(str(path))
    count = 0
    while cap.read()[0]:
        count += 1
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    return count, fps


# A 10 fps camera with jitter and a 2 s outage, as a stream that reconnects gives it.
ARRIVALS = [5.0 + 0.1 * i + (0.013 if i % 3 == 0 else 0.0) for i in range(20)] + [
    9.0 + 0.1 * i for i in range(10)]


def test_mp4_keeps_live_arrival_times_not_the_claimed_rate(tmp_path):
    path = tmp_path / "live.mp4"
    rec = VideoRecorder(path, fps=25.0)  # what FFmpeg claims for an MJPEG stream
    for i, t in enumerate(ARRIVALS):
        assert rec.write(image(i), source_time=t)
    rec.close()
    expected = [t - ARRIVALS[0] for t in ARRIVALS]
    assert frame_times(path) == pytest.approx(expected, abs=1e-3)
    assert rec.seconds == pytest.approx(expected[-1], abs=1e-9)
    # About 4.9 s of video (not 30 / 25 = 1.2 s); OpenCV plays it back at the average rate.
    count, fps = opencv_reads(path)
    assert count == len(ARRIVALS)
    assert count / fps == pytest.approx(expected[-1] + 1 / fps, rel=0.05)


def test_mp4_has_a_keyframe_every_second_of_a_slow_source(tmp_path):
    # 5 fps against a claimed 25: a keyframe every 25 frames would be 5 s apart, and a
    # crash could cost all of that.
    path = tmp_path / "slow.mp4"
    with VideoRecorder(path, fps=25.0) as rec:
        for i in range(30):
            rec.write(image(i), source_time=0.2 * i)
    keys = keyframe_times(path)
    assert keys[0] == 0.0
    assert max(np.diff(keys + [0.2 * 29])) <= 1.0 + 1e-6


def test_file_frames_are_exactly_one_frame_apart(tmp_path):
    path = tmp_path / "file.mp4"
    fps = 30000 / 1001
    with VideoRecorder(path, fps=fps) as rec:
        for i in range(12):
            rec.write(image(i))
    times = frame_times(path)
    assert np.diff(times) == pytest.approx(np.full(11, 1001 / 30000), abs=1e-9)
    assert Fraction(opencv_reads(path)[1]).limit_denominator(1001) == Fraction(30000, 1001)


def test_a_source_time_that_goes_back_continues_one_frame_on(tmp_path):
    # A new source (its clock starts at 0 again) must not rewind or stall the video.
    path = tmp_path / "switch.mp4"
    with VideoRecorder(path, fps=10.0) as rec:
        for i, t in enumerate([40.0, 40.5, 41.0, 0.0, 0.5]):
            rec.write(image(i), source_time=t)
    assert frame_times(path) == pytest.approx([0.0, 0.5, 1.0, 1.1, 1.6], abs=1e-3)


def test_avi_holds_a_late_frame_so_every_reader_sees_real_time(tmp_path):
    # AVI has one rate: the 10 fps arrivals on a 25 fps grid are each held until the next.
    path = tmp_path / "live.avi"
    arrivals = [0.1 * i for i in range(21)]
    with VideoRecorder(path, fps=25.0) as rec:
        for i, t in enumerate(arrivals):
            assert rec.write(image(i), source_time=t)
    assert rec.frames_written == 21
    times = frame_times(path)
    assert times[-1] == pytest.approx(2.0, abs=0.04)
    count, fps = opencv_reads(path)
    assert fps == 25.0
    assert count == len(times) == 51  # 2 s at 25 fps, and the last frame


def test_avi_leaves_out_a_frame_early_for_its_slot(tmp_path):
    path = tmp_path / "burst.avi"
    with VideoRecorder(path, fps=10.0) as rec:
        for i, t in enumerate([0.0, 0.1, 0.11, 0.12, 0.2, 0.3]):
            assert rec.write(image(i), source_time=t)  # left out is not an error
    # 0.11 takes the free slot at 0.2 (a frame late at most); 0.12 would be more than a
    # frame early for any slot left and is dropped; 0.2 and 0.3 then sit at 0.3 and 0.4.
    assert rec.frames_written == 5
    assert frame_times(path) == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4], abs=1e-6)


def test_writer_gives_live_frames_their_times_and_file_frames_none(tmp_path):
    live = FrameWriter(tmp_path / "live.mp4", fps=30.0)
    for i in range(5):
        live.push(Frame(image(i), i, 3.0 + 0.25 * i, 0.0, live=True), None)
    live.close()
    assert frame_times(tmp_path / "live.mp4") == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0], abs=1e-3)
    assert live.seconds_written == pytest.approx(1.0)

    played = FrameWriter(tmp_path / "file.mp4", fps=20.0, block=True)
    for i in range(5):
        # A file's source_time jumps on a seek; its frames stay 1 / fps apart.
        played.push(Frame(image(i), i, [0.0, 0.05, 9.0, 9.05, 9.1][i], 0.0), None)
    played.close()
    assert frame_times(tmp_path / "file.mp4") == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2], abs=1e-3)
