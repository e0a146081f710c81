"""Decodes whole video files and maps them onto a common frame rate.

Training clips come from cameras at 25, 29.97 or 30 fps, but a model sees
windows sampled at one rate (`ModelConfig.fps`). `resample_indices` picks the
source frames nearest to each target time so a 30 fps and a 25 fps clip of
the same action look alike at 10 fps.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from model.errors import DatasetError

# Files that report no frame rate (some webm/mkv) are assumed to be PAL-rate.
DEFAULT_FPS = 25.0
# Container frame counts are estimates for some formats; a couple of missing
# frames at the end is normal, more than this is a damaged file.
_TRUNCATION_SLACK = 2
_TRUNCATION_FRACTION = 0.05


class VideoDecodeWarning(UserWarning):
    """A file decoded only partly (fewer frames than its header declares)."""


def read_video(
    path: str | Path,
    *,
    strict: bool = False,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """Decodes every frame of a video file.

    A file counts as truncated when it decodes fewer frames than its header
    declares, by more than max(2, 5% of the declared count).

    Args:
        path: a video file OpenCV can open (AVI, MP4, ...).
        strict: raise `DatasetError` for a truncated file instead of warning
            with `VideoDecodeWarning` and returning the frames that decoded.
        transform: applied to each BGR frame as it is decoded, so a long HD
            file need not be held in memory at full size.

    Returns:
        (frames, fps): frames is uint8 BGR of shape (n, h, w, 3) with n >= 1
        (or the stacked `transform` outputs);
        fps is the file's frame rate, or `DEFAULT_FPS` when it reports 0 or NaN.

    Raises:
        DatasetError: the file is missing, cannot be opened, has no decodable
            frame, or (with `strict`) is truncated.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(
            f"Video file not found: {path}. Check the path or remove it from the list."
        )
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise DatasetError(
                f"Cannot open video {path}: not a video OpenCV can read. "
                "Re-encode it (e.g. ffmpeg -i in -c:v mjpeg out.avi) or remove it."
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        declared = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        frames = []
        while True:
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            if frame.ndim == 2:
                frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
            frames.append(transform(frame) if transform is not None else frame)
    finally:
        cap.release()
    if not frames:
        raise DatasetError(
            f"Video {path} has no decodable frame; the file is empty or damaged. Re-encode or remove it."
        )
    if not math.isfinite(fps) or fps <= 0:
        fps = DEFAULT_FPS
    n = len(frames)
    if declared > 0 and n < declared - max(_TRUNCATION_SLACK, _TRUNCATION_FRACTION * declared):
        message = (
            f"Video {path} is truncated: decoded {n} of {declared} frames. "
            "Re-encode or re-download it."
        )
        if strict:
            raise DatasetError(message)
        warnings.warn(VideoDecodeWarning(message), stacklevel=2)
    return np.stack(frames), fps


def resample_indices(n_frames: int, src_fps: float, dst_fps: float) -> np.ndarray:
    """Source frame indices that show a clip at another frame rate.

    Source frame i is shown at time i / src_fps and the clip lasts
    n_frames / src_fps seconds. Output frame k is at time k / dst_fps, for every
    k with k / dst_fps < n_frames / src_fps, and takes the source frame nearest
    to that time: floor(k * src_fps / dst_fps + 0.5), capped at n_frames - 1
    (ties go to the later frame). So 25 -> 10 fps picks 0, 3, 5, 8, 10, ...
    and 30 -> 10 fps picks 0, 3, 6, 9, ...; when dst_fps > src_fps frames repeat.

    Args:
        n_frames: frames in the source clip (>= 0).
        src_fps: the source frame rate (> 0).
        dst_fps: the wanted frame rate (> 0).

    Returns:
        int64 array of shape (ceil(n_frames * dst_fps / src_fps),) with
        non-decreasing indices in [0, n_frames).
    """
    if n_frames < 0:
        raise ValueError(f"`n_frames` must be >= 0. Received: n_frames={n_frames}")
    if not (src_fps > 0 and dst_fps > 0 and math.isfinite(src_fps) and math.isfinite(dst_fps)):
        raise ValueError(
            f"`src_fps` and `dst_fps` must be finite and > 0. Received: src_fps={src_fps}, dst_fps={dst_fps}"
        )
    ratio = src_fps / dst_fps
    # The epsilon keeps k / dst_fps == duration (e.g. 25 frames, 25 -> 10 fps) out of the clip.
    count = max(0, math.ceil(n_frames / ratio - 1e-9))
    positions = np.arange(count, dtype=np.float64) * ratio
    return np.minimum(np.floor(positions + 0.5 + 1e-9).astype(np.int64), max(n_frames - 1, 0))
