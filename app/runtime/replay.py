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

from app.capture.sources import source_fps
from app.frames import Frame
from app.runtime.processor import FrameProcessor
from model.errors import DatasetError


def shown_labels(processor: FrameProcessor, path: str | Path) -> list[str]:
    """The label the app would show on each frame of a video file.

    The processor is reset first, so no window reaches back into another file.

    Args:
        processor: a processor of the bundle to evaluate.
        path: a video file OpenCV can read.

    Returns:
        One label per frame that had a full window behind it (the first
        window's worth of frames shows nothing in the app either): an action,
        the idle label or "unknown".

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
        index = 0
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                break
            result = processor.process(Frame(image, index, index / fps, time.monotonic()))
            if result is not None:
                labels.append(result.label)
            index += 1
    finally:
        cap.release()
    return labels
