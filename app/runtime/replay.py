"""Plays a file through a `FrameProcessor` frame by frame, as the app shows it.

`actionlens run` paces a file and may drop nothing, but it runs threads, an
encoder and a recorder; an evaluation only needs the label on screen for each
frame. This replays every frame in order, with the source's own timestamps,
through the same preprocessing, window sampling, smoothing and dwell.

Evaluation clips are of one person each, but some show others too (a passer-by,
a second player). `shown_labels_of_longest` follows up to `REPLAY_MAX_PEOPLE`
people, as the app does, and scores the one present longest; a clip where
nobody else was ever listed is scored by the one-person replay, so its figures
are exactly those of `shown_labels`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from app.capture.sources import source_fps
from app.frames import Frame
from app.results import NO_PERSON
from app.runtime.processor import FrameProcessor
from model.errors import DatasetError

# As the app's own default (`app.settings.DEFAULT_MAX_PEOPLE`): a clip is replayed as it is shown.
REPLAY_MAX_PEOPLE = 4


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
    labels: list[str] = []
    _replay(processor, path, lead_in_s, lambda result: labels.append(result.label))
    return labels


def shown_labels_of_longest(processor: FrameProcessor, path: str | Path, lead_in_s: float = 0.0,
                            max_people: int = REPLAY_MAX_PEOPLE) -> tuple[list[str], int]:
    """The label the app shows on each frame for the person present longest in a video file.

    The clip is replayed following up to `max_people` people; the person listed on the
    most frames is scored, `no person` where they are not listed. When at most one person
    was ever listed, the clip is replayed again with one person followed and those labels
    are returned: a one-person clip's figures are those of `shown_labels`, frame by frame.
    A processor that cannot follow several people (a model on pixels) replays once, alone.

    Args:
        processor: a processor of the bundle to evaluate; its settings are put back after.
        path: a video file OpenCV can read.
        lead_in_s: as for `shown_labels`.
        max_people: the most people followed.

    Returns:
        (labels, people): one label per frame as `shown_labels`, and how many people were listed.

    Raises:
        DatasetError: the file cannot be opened.
    """
    settings = processor.settings
    listed: list[dict[int, str]] = []
    if processor.pose_tracker is not None and max_people > 1:
        processor.update_settings(settings.replace(max_people=max_people))
        try:
            _replay(processor, path, lead_in_s,
                    lambda result: listed.append({p.id: p.label for p in result.people or ()}))
        finally:
            processor.update_settings(settings.replace(max_people=1))
    frames = Counter(pid for people in listed for pid in people)
    try:
        if len(frames) <= 1:
            return shown_labels(processor, path, lead_in_s), len(frames)
    finally:
        processor.update_settings(settings)
    longest = max(frames, key=lambda pid: (frames[pid], -pid))  # a tie: the one found first
    return [people.get(longest, NO_PERSON) for people in listed], len(frames)


def _replay(processor: FrameProcessor, path: str | Path, lead_in_s: float, scored: Callable) -> None:
    """Feeds every frame of `path` to a reset `processor`; `scored(result)` for each result past the lead-in."""
    processor.reset()
    cap = cv2.VideoCapture(str(path))
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
                    scored(result)
                index += 1
    finally:
        cap.release()


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
