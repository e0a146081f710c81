"""A stand-in camera that replays frames at a fixed rate, like a real webcam.

`bench` and the soak test need a live source paced at 30 fps on machines
without a camera. Its `read()` blocks until the next frame is due, exactly as
cv2.VideoCapture does on a webcam, so a slow consumer makes the capture
thread drop frames just as it would live.
"""

from __future__ import annotations

import time

import cv2
import numpy as np


class PacedCamera:
    """A VideoCapture-like camera over a list of frames, looping forever.

    Args:
        frames: uint8 images to replay, each (h, w) or (h, w, c).
        fps: the rate `read()` delivers at.
        limit: stop (read fails) after this many frames; None for never.
    """

    def __init__(self, frames: list[np.ndarray], fps: float = 30.0, limit: int | None = None):
        if not frames:
            raise ValueError("`frames` must hold at least one image. Received: frames=[]")
        self.frames = frames
        self.fps = float(fps)
        self.limit = limit
        self._count = 0
        self._t0: float | None = None
        self._open = True

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self._open

    def read(self) -> tuple[bool, np.ndarray | None]:
        if not self._open or (self.limit is not None and self._count >= self.limit):
            return False, None
        if self._t0 is None:
            self._t0 = time.monotonic()
        due = self._t0 + self._count / self.fps
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        frame = self.frames[self._count % len(self.frames)]
        self._count += 1
        return True, frame.copy()

    def get(self, prop: int) -> float:
        h, w = self.frames[0].shape[:2]
        return {cv2.CAP_PROP_FPS: self.fps, cv2.CAP_PROP_FRAME_WIDTH: float(w),
                cv2.CAP_PROP_FRAME_HEIGHT: float(h), cv2.CAP_PROP_FRAME_COUNT: -1.0}.get(prop, 0.0)

    def set(self, prop: int, value: float) -> bool:
        return False

    def release(self) -> None:
        self._open = False


def load_frames(path: str, max_frames: int = 300) -> list[np.ndarray]:
    """Decodes up to `max_frames` frames of a video, (h, w, 3) uint8 BGR each."""
    cap = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < max_frames:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def synthetic_frames(n: int = 60, size: tuple[int, int] = (480, 640), seed: int = 0) -> list[np.ndarray]:
    """A moving bright square on noise, (h, w, 3) uint8: something to look at, not to classify."""
    rng = np.random.default_rng(seed)
    h, w = size
    out = []
    for i in range(n):
        img = rng.integers(0, 40, (h, w, 3), dtype=np.uint8)
        x = int((w - 80) * (0.5 + 0.5 * np.sin(i / 8.0)))
        img[h // 2 - 40 : h // 2 + 40, x : x + 80] = 220
        out.append(img)
    return out
