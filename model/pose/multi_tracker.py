"""Stage 4 for several people: each person's own crop, followed from frame to frame.

As `PoseTracker` does for one person, each person's last landmarks place their
next crop, and each crop gets its own landmark pass. The detector is not run on
every frame (as in mediapipe's pose_landmarker_graph): only while fewer people
are tracked than `max_people`, and then only when nobody is tracked, when a
track was just lost, or every `search_every` frames for a newcomer; and each of
those searches is spread over frames, one strip each (`StripSearch`). A new
detection at a tracked person's hips and size is that person, not a newcomer;
one that only overlaps them (someone passing in front or behind) gets its own
crop, and is dropped only if that crop's landmarks are a tracked person's
(`model.pose.same_person`).

It keeps no names: which pose is which person across frames is the job of
`app.runtime.people.PeopleTracker`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.lite.interpreter import TFLiteModel
from model.pose.detector import BODY_SIZE_KEYPOINT, HIP_CENTRE_KEYPOINT, PoseDetector
from model.pose.landmarks import MIN_PRESENCE, LandmarkModel, Pose
from model.pose.multi_detect import StripSearch
from model.pose.region import Region, region_from_points
from model.pose.same_person import same_detection, same_pose
from model.pose.tracker import to_rgb

# 10 frames is a third of a second at 30 fps: a newcomer is found within half a second
# (the wait plus a three-strip sweep), at about one detector call in four frames.
SEARCH_EVERY = 10
# After a track is lost, sweeps run back to back for this many frames (half a second at
# 30 fps) instead of one every SEARCH_EVERY: a dancer lost for a few frames while
# spinning is found again before `app.runtime.people.MAX_GAP_S` ends their id.
LOST_SEARCH_FRAMES = 15


class MultiPoseTracker:
    """Image in, every tracked person's `Pose` out (at most `max_people`).

    Args:
        detector: a `PoseDetector`.
        landmarks: a `LandmarkModel`.
        max_people: the most people followed at once (>= 1).
        search_every: frames between searches for a newcomer while fewer than
            `max_people` are tracked.
    """

    def __init__(self, detector: PoseDetector, landmarks: LandmarkModel, max_people: int = 4,
                 search_every: int = SEARCH_EVERY):
        if max_people < 1:
            raise ValueError(f"`max_people` must be at least 1. Received: max_people={max_people}")
        self.detector = detector
        self.landmarks = landmarks
        self.max_people = int(max_people)
        self.search_every = max(1, int(search_every))
        self._search = StripSearch(detector)
        self._regions: list[Region] = []
        self._since_search = 0
        self._hurry = 0
        self.landmark_calls = 0

    @classmethod
    def from_files(cls, paths: dict[str, Path], max_people: int = 4, threads: int = 2) -> MultiPoseTracker:
        """Builds a tracker from {"detector": path, "landmarker": path} (`model.pose.fetch`)."""
        return cls(PoseDetector(TFLiteModel(paths["detector"], threads)),
                   LandmarkModel(TFLiteModel(paths["landmarker"], threads)), max_people)

    @property
    def detector_calls(self) -> int:
        return self._search.calls

    @property
    def runtime_name(self) -> str:
        return self.landmarks.model.runtime_name

    def reset(self) -> None:
        """Forgets everyone (a seek, a new source): the next frame starts a search."""
        self._regions = []
        self._search.reset()
        self._since_search = 0
        self._hurry = 0

    def __call__(self, image: np.ndarray, *, bgr: bool = True) -> list[Pose]:
        """Finds the people in one frame.

        Args:
            image: uint8 (h, w, 3) BGR (or RGB with bgr=False); gray is turned to three channels.
            bgr: whether `image` is BGR.

        Returns:
            The poses found, at most `max_people`, tracked ones first in their last order.
        """
        rgb = to_rgb(image, bgr)
        poses = self._follow(rgb)
        if len(poses) < len(self._regions):
            self._hurry = LOST_SEARCH_FRAMES
        due = not poses or self._hurry > 0 or self._since_search >= self.search_every or self._search.searching
        self._hurry = max(0, self._hurry - 1)
        if len(poses) < self.max_people and due:
            found = self._search.step(rgb)
            if found is not None:
                self._since_search = 0
                poses += self._newcomers(rgb, found, poses)
        else:
            self._since_search += 1
        self._regions = [region_from_points(p.hip_centre, p.body_top) for p in poses]
        return poses

    def _follow(self, rgb: np.ndarray) -> list[Pose]:
        poses: list[Pose] = []
        for region in self._regions:
            self.landmark_calls += 1
            pose = self.landmarks(rgb, region)
            # Two crops that drifted onto the same person: the first (older) keeps them.
            if pose.presence >= MIN_PRESENCE and not _taken(pose, poses):
                poses.append(pose)
        return poses

    def _newcomers(self, rgb: np.ndarray, found, poses: list[Pose]) -> list[Pose]:
        new: list[Pose] = []
        for det in found:
            if len(poses) + len(new) >= self.max_people:
                break
            if any(same_detection(det, p) for p in [*poses, *new]):
                continue  # someone already followed
            region = region_from_points(det.keypoints[HIP_CENTRE_KEYPOINT], det.keypoints[BODY_SIZE_KEYPOINT])
            self.landmark_calls += 1
            pose = self.landmarks(rgb, region)
            if pose.presence >= MIN_PRESENCE and not _taken(pose, [*poses, *new]):
                new.append(pose)
        return new


def _taken(pose: Pose, others: list[Pose]) -> bool:
    return any(same_pose(pose, other) for other in others)
