"""A clip's poses as arrays, computed once per clip and cached on disk.

Training and evaluation need every clip's landmarks many times (each fold,
each augmented view); the tracker runs once per frame of a clip, and the
result is stored as `<sha1>.npz` under the cache folder's `poses/`, keyed by
the file's content and `POSE_CACHE_VERSION`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from model.data.clip_cache import content_digest
from model.pose.landmarks import Pose
from model.pose.skeleton import NUM_LANDMARKS

# Bump when what an entry holds changes.
POSE_CACHE_VERSION = 2


@dataclass
class PoseTrack:
    """Per-frame poses of one clip; frames with nobody have `present` False and zeros.

    Attributes:
        times: (t,) source seconds.
        present: (t,) bool.
        image: (t, 33, 3) image pixels (x, y, z).
        visibility: (t, 33).
        world: (t, 33, 3) metres, hip-centred.
        body_size: (t,) pixels from the hip centre to the body-size point.
        frame_size: (width, height) of the clip.
    """

    times: np.ndarray
    present: np.ndarray
    image: np.ndarray
    visibility: np.ndarray
    world: np.ndarray
    body_size: np.ndarray
    frame_size: tuple[int, int]

    def __len__(self) -> int:
        return len(self.times)

    @classmethod
    def from_poses(cls, times, poses: list[Pose | None], frame_size: tuple[int, int]) -> PoseTrack:
        """Stacks per-frame `Pose`s (None for nobody) into arrays."""
        t = len(poses)
        track = cls(np.asarray(times, np.float64), np.zeros(t, bool), np.zeros((t, NUM_LANDMARKS, 3), np.float32),
                    np.zeros((t, NUM_LANDMARKS), np.float32), np.zeros((t, NUM_LANDMARKS, 3), np.float32),
                    np.zeros(t, np.float32), tuple(frame_size))
        for k, pose in enumerate(poses):
            if pose is None:
                continue
            track.present[k] = True
            track.image[k] = pose.image
            track.visibility[k] = pose.visibility
            track.world[k] = pose.world
            track.body_size[k] = float(np.linalg.norm(pose.body_top - pose.hip_centre))
        return track

    def take(self, index: np.ndarray) -> PoseTrack:
        """The frames at `index` (e.g. resampled to the model's fps)."""
        return PoseTrack(self.times[index], self.present[index], self.image[index], self.visibility[index],
                         self.world[index], self.body_size[index], self.frame_size)

    def at_fps(self, fps: float) -> PoseTrack:
        """Resampled to `fps` by nearest frame, as the live ring samples windows."""
        if len(self) == 0:
            return self
        targets = np.arange(self.times[0], self.times[-1] + 1e-6, 1.0 / fps)
        index = np.clip(np.searchsorted(self.times, targets - 0.5 / fps), 0, len(self) - 1)
        return self.take(index)

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.stem + ".partial.npz")
        np.savez_compressed(tmp, times=self.times, present=self.present, image=self.image,
                            visibility=self.visibility, world=self.world, body_size=self.body_size,
                            frame_size=np.asarray(self.frame_size))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> PoseTrack:
        with np.load(path) as z:
            return cls(z["times"], z["present"], z["image"], z["visibility"], z["world"], z["body_size"],
                       tuple(int(v) for v in z["frame_size"]))


def clip_key(path: Path) -> str:
    """Cache key of a video file: its content (`content_digest`) and `POSE_CACHE_VERSION`."""
    return hashlib.sha1(f"v{POSE_CACHE_VERSION}|{content_digest(path)}".encode()).hexdigest()


def track_clip(path: str | Path, tracker, cache_dir: str | Path | None = None) -> PoseTrack:
    """Every frame's pose in a video file, from the cache when it is there.

    Args:
        path: a video file OpenCV can read.
        tracker: a `model.pose.tracker.PoseTracker` (reset first).
        cache_dir: folder for `poses/<key>.npz`, or None for no cache.

    Returns:
        The clip's `PoseTrack` at its own frame rate.

    Raises:
        ValueError: the file cannot be opened.
    """
    path = Path(path)
    entry = None
    if cache_dir is not None:
        entry = Path(cache_dir) / "poses" / f"{clip_key(path)}.npz"
        if entry.is_file():
            return PoseTrack.load(entry)
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise ValueError(f"{path}: not a video OpenCV can read. Re-encode or remove it.")
    fps = cap.get(cv2.CAP_PROP_FPS)
    fps = fps if 1.0 <= fps <= 240.0 else 30.0
    tracker.reset()
    times, poses, size = [], [], (0, 0)
    try:
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                break
            size = (image.shape[1], image.shape[0])
            times.append(len(times) / fps)
            poses.append(tracker(image))
    finally:
        cap.release()
    track = PoseTrack.from_poses(times, poses, size)
    if entry is not None:
        entry.parent.mkdir(parents=True, exist_ok=True)
        track.save(entry)
    return track

