"""Tiny test videos written with OpenCV, whose frames say their own index.

Frame i of a clip is a uniform grey of `index_value(i)` with a white square at
a position that moves with i, so a decoded frame's index can be read back
with `frame_index` (lossless FFV1 when OpenCV can write it, else MJPG).
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import cv2
import numpy as np

W, H = 48, 32
_STEP = 6
_BASE = 10


def _probe_fourcc() -> str:
    """FFV1 (lossless) if this OpenCV can write it, else MJPG."""
    with tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "probe.avi")
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"FFV1"), 25, (W, H))
        ok = writer.isOpened()
        writer.release()
    return "FFV1" if ok else "MJPG"


_FOURCC = _probe_fourcc()


def index_value(i: int) -> int:
    """The background grey of frame i (frames up to 40 stay below 255)."""
    return _BASE + _STEP * i


def frame_index(frame: np.ndarray) -> int:
    """Reads back the index of a decoded or preprocessed uint8 frame (any size) from its median grey."""
    return int(round((float(np.median(frame)) - _BASE) / _STEP))


def make_frame(i: int, w: int = W, h: int = H) -> np.ndarray:
    """Frame i: uint8 BGR (h, w, 3)."""
    frame = np.full((h, w, 3), index_value(i), np.uint8)
    x = (2 * i) % max(1, w - 8)
    frame[h // 2 - 4 : h // 2 + 4, x : x + 8] = 255
    return frame


def write_clip(
    path: str | Path, n_frames: int = 30, fps: float = 25.0, w: int = W, h: int = H
) -> Path:
    """Writes an AVI of `n_frames` index-coded frames; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*_FOURCC), fps, (w, h))
    assert writer.isOpened(), f"OpenCV cannot write {_FOURCC} AVI to {path}"
    for i in range(n_frames):
        writer.write(make_frame(i, w, h))
    writer.release()
    return path


def truncate(path: str | Path, keep: float = 0.4) -> Path:
    """Cuts a file to the first `keep` of its bytes, like an interrupted download."""
    path = Path(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_manifest_tree(
    root: str | Path, rows: list[tuple[str, str, str, str]], n_frames: int = 24, fps: float = 25.0
) -> Path:
    """Writes clips and a manifest.csv; rows are (path, label, group, dataset)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with (root / "manifest.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "path",
                "label",
                "dataset",
                "group",
                "trial",
                "source_label",
                "frames",
                "fps",
                "width",
                "height",
            ]
        )
        for rel, label, group, dataset in rows:
            write_clip(root / rel, n_frames, fps)
            writer.writerow([rel, label, dataset, group, "T1", label, n_frames, fps, W, H])
    return root


def make_class_tree(
    root: str | Path, files: dict[str, list[str]], n_frames: int = 24, fps: float = 25.0
) -> Path:
    """Writes root/<label>/<name> clips; files maps label -> file names."""
    root = Path(root)
    for label, names in files.items():
        (root / label).mkdir(parents=True, exist_ok=True)
        for name in names:
            write_clip(root / label / name, n_frames, fps)
    return root


# Motion-direction clips: a class is told apart by which way a square moves,
# so a classifier has something real (if tiny) to learn.
MOTIONS = {"up": (0, -1), "down": (0, 1), "right": (1, 0), "left": (-1, 0)}


def write_motion_clip(
    path: str | Path,
    motion: str,
    n_frames: int = 30,
    fps: float = 25.0,
    size: int = 32,
    shade: int = 60,
    start: int = 0,
) -> Path:
    """Writes a (size x size) AVI of a white square moving as `MOTIONS[motion]` says.

    The square wraps around the frame; `shade` (background grey) and `start`
    (first position) vary the look between groups and clips.
    """
    dx, dy = MOTIONS[motion]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*_FOURCC), fps, (size, size))
    assert writer.isOpened(), f"OpenCV cannot write {_FOURCC} AVI to {path}"
    side = max(4, size // 4)
    for i in range(n_frames):
        frame = np.full((size, size, 3), shade, np.uint8)
        x = (size // 2 + start + 2 * i * dx) % (size - side)
        y = (size // 2 + start + 2 * i * dy) % (size - side)
        frame[y : y + side, x : x + side] = 255
        writer.write(frame)
    writer.release()
    return path


def make_motion_dataset(
    root: str | Path,
    labels: tuple[str, ...] = ("up", "down", "right"),
    groups: tuple[str, ...] = ("g1", "g2"),
    clips_per_group: int = 2,
    n_frames: int = 30,
    fps: float = 25.0,
    dataset: str = "toy",
) -> Path:
    """Writes motion clips and a manifest.csv (path,label,group,dataset); returns `root`.

    Each (label, group) pair gets `clips_per_group` clips; a group has its own
    background grey, as a person would have their own look.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with (root / "manifest.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "label", "group", "dataset"])
        for g, group in enumerate(groups):
            for label in labels:
                for k in range(clips_per_group):
                    rel = f"{label}/{group}_{k}.avi"
                    write_motion_clip(root / rel, label, n_frames, fps, shade=40 + 30 * g, start=3 * k)
                    writer.writerow([rel, label, group, dataset])
    return root


def read_video(path) -> list[np.ndarray]:
    """Every frame of a video file OpenCV can read, as BGR uint8 (h, w, 3) arrays."""
    return read_frames(cv2.VideoCapture(str(path)))


def read_frames(cap) -> list[np.ndarray]:
    """Every frame left in an opened cv2.VideoCapture, as BGR uint8 (h, w, 3) arrays; releases it."""
    frames = []
    try:
        while True:
            ok, image = cap.read()
            if not ok:
                break
            frames.append(image)
    finally:
        cap.release()
    return frames
