"""Records frames to a video file that is always complete when it exists.

An MP4 whose writer was never released has no index and will not play, so frames
go to a hidden partial file beside the target (`.name.partial.mp4`, keeping the
extension so OpenCV picks the container) and `close()` renames it into place.
Call `close()` in a `finally` block (or use `with`), and a Ctrl-C still leaves a
playable file with every frame written so far.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import cv2
import numpy as np

from app.outputs.files import OutputError, check_output_path
from model.preprocess import as_bgr

# mp4v needs no system codec and plays in browsers' fallbacks and VLC; MJPG is AVI's safe bet.
FOURCC = {".mp4": "mp4v", ".avi": "MJPG"}


class VideoRecorder:
    """Writes BGR frames to an .mp4 (mp4v) or .avi (MJPG) file.

    Args:
        path: the final video file; it appears only on `close()`.
        fps: the frame rate stored in the file (use the source's fps, or the
            processing rate for a live camera).
        frame_size: (height, width) of the video, e.g. from `overlay_size`; None
            takes it from the first frame. Frames of another size are resized.

    Attributes:
        path: the final path.
        frames_written: frames written so far.
        error: why the recording stopped early, or None.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float,
        frame_size: tuple[int, int] | None = None,
    ) -> None:
        path = Path(path)
        fourcc = FOURCC.get(path.suffix.lower())
        if fourcc is None:
            raise OutputError(
                f"Cannot record to {path}: unknown video extension {path.suffix!r}; use .mp4 or .avi."
            )
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(
                f"`fps` must be a positive number. Received: fps={fps}. "
                "Hint: cameras often report 0; pass a nominal rate such as 30."
            )
        if frame_size is not None and (len(frame_size) != 2 or min(frame_size) < 1):
            raise ValueError(
                f"`frame_size` must be (height, width) with both >= 1. Received: frame_size={frame_size}"
            )
        self.path = check_output_path(path, "video")
        self.fps = float(fps)
        self.frames_written = 0
        self.error: str | None = None
        self._fourcc = cv2.VideoWriter_fourcc(*fourcc)
        self._partial = path.with_name(f".{path.stem}.partial{path.suffix}")
        self._size: tuple[int, int] | None = None if frame_size is None else (
            int(frame_size[0]), int(frame_size[1]))
        self._writer = None
        self._closed = False
        if self._size is not None:
            # Opening now surfaces a codec or permission problem before processing starts.
            self._open()

    @property
    def partial_path(self) -> Path:
        """Where frames go until `close()`."""
        return self._partial

    @property
    def recording(self) -> bool:
        """Whether further frames will be written."""
        return not self._closed and self.error is None

    def write(self, frame_bgr: np.ndarray) -> bool:
        """Appends one frame.

        Args:
            frame_bgr: uint8 image, BGR (h, w, 3), gray (h, w) / (h, w, 1) or BGRA (h, w, 4).

        Returns:
            True when written; False once the recording has stopped (see `error`).
        """
        if not self.recording:
            return False
        frame = as_bgr(frame_bgr, "frame_bgr")
        try:
            if self._writer is None:
                self._size = frame.shape[:2]
                self._open()
            h, w = self._size
            if frame.shape[:2] != (h, w):
                frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
            self._writer.write(np.ascontiguousarray(frame))
        except (OSError, cv2.error, OutputError) as e:
            # Keep what was written: close() still finalises it into a playable file.
            self.error = f"Recording to {self.path} stopped after {self.frames_written} frames: {e}"
            return False
        self.frames_written += 1
        return True

    def close(self) -> Path | None:
        """Finalises the file; safe to call more than once.

        Returns:
            The final path, or None when no frame was written (no file is left).
        """
        if self._closed:
            return self.path if self.path.exists() and self.frames_written else None
        self._closed = True
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.release()
        if self.frames_written == 0:
            self._partial.unlink(missing_ok=True)
            return None
        try:
            os.replace(self._partial, self.path)
        except OSError as e:
            # Raising here would mask the exception that brought us to a finally block.
            self.error = f"Cannot finish video {self.path}: {e.strerror or e}; frames are in {self._partial}."
            return None
        return self.path

    def __enter__(self) -> VideoRecorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        # Last resort for an abandoned recorder; a finally block is the real guarantee.
        try:
            if not self._closed:
                self.close()
        except Exception:
            pass

    def _open(self) -> None:
        h, w = self._size
        writer = cv2.VideoWriter(str(self._partial), self._fourcc, self.fps, (w, h))
        if not writer.isOpened():
            raise OutputError(
                f"Cannot record to {self.path}: OpenCV could not open a {self.path.suffix} "
                f"writer for {w}x{h}; try the other format (.mp4 or .avi)."
            )
        self._writer = writer
