"""Helpers shared by the GUI tests (kept out of conftest.py, which is not importable by name)."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

LABELS = ("idle", "wave", "clap")
CLIP_FRAMES = 90
CLIP_FPS = 30.0


def write_clip(path: Path, frames: int = CLIP_FRAMES, fps: float = CLIP_FPS, size=(96, 72)) -> Path:
    """A MJPG .avi of a square moving across a dark background."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MJPG .avi here"
    for i in range(frames):
        img = np.full((h, w, 3), 20, np.uint8)
        x = 4 + (i * 3) % (w - 20)
        cv2.rectangle(img, (x, 20), (x + 16, 36), (40, 200, 240), -1)
        writer.write(img)
    writer.release()
    return path


def new_threads(before: set) -> list[threading.Thread]:
    """Threads started since `before` that are still alive."""
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]
