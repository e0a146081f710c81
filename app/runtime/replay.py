"""Plays a file through a `FrameProcessor` frame by frame, as the app shows it.

`actionlens run` paces a file and may drop nothing, but it runs threads, an
encoder and a recorder; an evaluation only needs the label on screen for each
frame. This replays every frame in order, with the source's own timestamps,
through the same preprocessing, window sampling, smoothing and dwell.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from app.capture.sources import source_fps
from app.frames import Frame
from app.runtime.processor import FrameProcessor
from model.errors import DatasetError


def shown_labels(processor: FrameProcessor, path: str | Path, lead_in_s: float = 0.0) -> list[str]:
    """The label the app would show on each frame of a video file.

    The processor is reset first, so no window reaches back into another file.

    Args:
        processor: a processor of the bundle to evaluate.
        path: a video file OpenCV can read.
        lead_in_s: seconds of the first frame held before the clip, as a camera sees a
            person standing there before they start; those frames' labels are not returned.

    Returns:
        One label per frame that had a full window behind it (the first
        window's worth of frames shows nothing in the app either): an action,
        the idle label, "unknown", or "" before the first decision.

    Raises:
        DatasetError: the file cannot be opened.
    """
    processor.reset()
    cap = cv2.VideoCapture(str(path))
    labels: list[str] = []
    try:
        if not cap.isOpened():
            raise DatasetError(f"Cannot open video {path}: not a video OpenCV can read. Re-encode or remove it.")
        fps = source_fps(cap)  # the rate the app's own file capture assumes, so the windows match
        lead = lead_in_frames(lead_in_s, fps)
        index = 0
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                break
            for _ in range(1 + (lead if index == 0 else 0)):  # the first frame, held for the lead-in
                result = processor.process(Frame(image, index, index / fps, time.monotonic()))
                if result is not None and index >= lead:
                    labels.append(result.label)
                index += 1
    finally:
        cap.release()
    return labels


def lead_in_frames(lead_in_s: float, fps: float) -> int:
    """Frames of a lead-in of `lead_in_s` seconds at `fps`."""
    if lead_in_s < 0:
        raise ValueError(f"`lead_in_s` must be >= 0. Received: lead_in_s={lead_in_s}")
    return int(round(lead_in_s * fps))


class TrackReplay:
    """A pose tracker that hands back a clip's cached poses in order (`model.pose.track.PoseTrack`).

    BlazePose gives the same landmarks for the same frames in the same order, so
    replaying the cached track through a `FrameProcessor` shows what the app shows
    on that clip, without running BlazePose again: a leave-one-source-out run can
    report on-screen figures for every fold in seconds.
    """

    def __init__(self, track) -> None:
        from model.pose.landmarks import Pose

        self._poses = []
        for k in range(len(track)):
            if not track.present[k]:
                self._poses.append(None)
                continue
            # The features and the box read the landmarks only; the crop-placing points stay unset.
            self._poses.append(Pose(1.0, track.image[k], track.visibility[k], track.world[k],
                                    np.zeros(2, np.float32), np.zeros(2, np.float32), tuple(track.frame_size)))
        self._next = 0

    def reset(self) -> None:
        self._next = 0

    def __call__(self, image):
        pose = self._poses[self._next] if self._next < len(self._poses) else None
        self._next += 1
        return pose


def shown_labels_of_track(processor: FrameProcessor, track) -> list[str]:
    """The label the app would show on each frame of a clip whose poses are cached.

    Args:
        processor: a pose model's processor; its tracker is swapped for the replay and put back.
        track: the clip's `PoseTrack` at its own frame rate.

    Returns:
        One label per frame that had a full window behind it, as `shown_labels`.
    """
    tracker = processor.pose_tracker
    processor.pose_tracker = TrackReplay(track)
    blank = np.zeros((8, 8), np.uint8)  # the predictor is off; the frame itself is never looked at
    try:
        processor.reset()
        labels = []
        for k, t in enumerate(track.times):
            result = processor.process(Frame(blank, k, float(t), time.monotonic()))
            if result is not None:
                labels.append(result.label)
        return labels
    finally:
        processor.pose_tracker = tracker
