"""Records frames to a video file that plays at every moment, even after a crash.

Frames are encoded straight into the path the user gave (app/outputs/encoder.py):
fragmented H.264 MP4 or Motion JPEG AVI, laid out so that a SIGKILL, an OOM kill
or a power cut leaves a file that plays up to about a second before the end.
`close()` only adds the last fragment; there is no rename and no temporary file,
so a folder that turns read-only mid-recording costs nothing either.

When the disk fills up or the file goes away, the recording stops with one line in
`error`, the file is cut back to its last whole fragment, and `write` returns False
from then on; whoever feeds frames keeps going without it.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import av
import cv2
import numpy as np

from app.outputs.encoder import CODECS, Encoder, encoded_size
from app.outputs.files import OutputError, check_output_path
from model.preprocess import as_bgr

VIDEO_EXTENSIONS = tuple(CODECS)
# At most this long between fsyncs: what a power cut (not a crash) may cost.
FSYNC_EVERY_S = 1.0


class VideoRecorder:
    """Writes BGR frames to an .mp4 (H.264) or .avi (MJPG) file, each at its own time.

    Frames given a source time (a camera's or stream's arrival times) keep the gaps
    between them, so the video plays as long as the source ran: 10 s of a 10 fps
    stream are 10 s of video, whatever rate it claims. Frames without one are 1 / fps
    apart, as a file's are; so are frames whose source time goes back (a new source).

    Args:
        path: the video file; it is created at once (replacing one already there).
        fps: the nominal frame rate: the spacing of frames without a source time, and
            an .avi's fixed rate (the source's fps).
        frame_size: (height, width) of the video, e.g. from `overlay_size`; None
            takes it from the first frame. Frames of another size are resized; odd
            sides are rounded down to even ones, as 4:2:0 video needs.

    Attributes:
        path: the video file.
        frames_written: frames handed to the encoder so far.
        seconds: where the last frame sits in the video, in seconds from its start.
        codec: the codec written (e.g. "libx264"), once the file is open.
        error: one line saying why the recording stopped early, or None.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float,
        frame_size: tuple[int, int] | None = None,
    ) -> None:
        path = Path(path)
        if path.suffix.lower() not in CODECS:
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
        self.seconds = 0.0
        self._last_source_time: float | None = None
        self._clock: float | None = None  # the video time of the last frame offered
        self.error: str | None = None
        self.codec: str | None = None
        self._size: tuple[int, int] | None = None if frame_size is None else encoded_size(*frame_size)
        self._file = None
        self._encoder: Encoder | None = None
        self._good = 0  # bytes in the file that end on a whole fragment (or frame, for AVI)
        self._synced_at = time.monotonic()
        self._closed = False
        if self._size is not None:
            # Opening now surfaces a codec or permission problem before processing starts.
            self._open()

    @property
    def recording(self) -> bool:
        """Whether further frames will be written."""
        return not self._closed and self.error is None

    def write(self, frame_bgr: np.ndarray, source_time: float | None = None) -> bool:
        """Appends one frame.

        Args:
            frame_bgr: uint8 image, BGR (h, w, 3), gray (h, w) / (h, w, 1) or BGRA (h, w, 4).
            source_time: when the frame arrived, in seconds on the source's clock
                (`Frame.source_time` of a live frame); None: 1 / fps after the last one.

        Returns:
            True while recording (an .avi leaves out a frame that comes more than a frame
            early for its fixed rate); False once the recording has stopped (see `error`).
        """
        if not self.recording:
            return False
        frame = as_bgr(frame_bgr, "frame_bgr")
        try:
            if self._encoder is None:
                self._size = encoded_size(*frame.shape[:2])
                self._open()
            h, w = self._size
            if frame.shape[:2] != (h, w):
                frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
            at = self._video_time(source_time)
            encoded = self._encoder.encode(np.ascontiguousarray(frame), at)
            self._after_write()
        except (OSError, av.FFmpegError, cv2.error, OutputError) as e:
            self._stop(e)
            return False
        if encoded:
            self.frames_written += 1
            self.seconds = at
        return True

    def _video_time(self, source_time: float | None) -> float:
        """Where a frame goes in the video: the source's gap after the last frame, else 1 / fps."""
        last, self._last_source_time = self._last_source_time, source_time
        if self._clock is None:
            self._clock = 0.0
        elif source_time is not None and last is not None and source_time > last:
            self._clock += source_time - last
        else:
            self._clock += 1.0 / self.fps
        return self._clock

    def close(self) -> Path | None:
        """Writes the last fragment and closes the file; safe to call more than once.

        Returns:
            The path, or None when no frame was written (no file is left then).
        """
        if self._closed:
            return self.path if self._kept() else None
        self._closed = True
        if self._encoder is not None and self.error is None:
            encoder, self._encoder = self._encoder, None
            try:
                encoder.finish()
                self._after_write(sync=True)
            except (OSError, av.FFmpegError, OutputError) as e:
                self._stop(e)  # raising here would mask the exception that led to a finally
        self._release()
        if self.frames_written == 0 and self._file is not None:
            self.path.unlink(missing_ok=True)
        return self.path if self._kept() else None

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
        try:
            # Unbuffered: each write is one system call, so nothing waits in this process.
            self._file = open(self.path, "w+b", buffering=0)
        except OSError as e:
            raise OutputError(f"Cannot record to {self.path}: {e.strerror or e}.") from e
        try:
            self._encoder = Encoder(self._file, self.path.suffix, self.fps, self._size)
            self.codec = self._encoder.codec
        except (ValueError, av.FFmpegError) as e:
            self._file.close()
            self.path.unlink(missing_ok=True)
            h, w = self._size
            raise OutputError(f"Cannot record to {self.path} at {w}x{h}: {e}; try .avi.") from e

    def _after_write(self, sync: bool = False) -> None:
        size = self._file.tell()
        if size == self._good and not sync:
            return  # still inside a fragment: nothing reached the file
        if self._gone():
            raise OutputError("the file was deleted (or its folder removed) while recording")
        self._good = size
        now = time.monotonic()
        if sync or now - self._synced_at >= FSYNC_EVERY_S:
            os.fsync(self._file.fileno())
            self._synced_at = now

    def _stop(self, err: BaseException) -> None:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        kept = "; the file plays up to there" if self.frames_written and not self._gone() else ""
        self.error = f"Recording to {self.path} stopped after {self.frames_written} frames: {reason}{kept}."
        if self._file is not None and not self._file.closed:
            try:
                # A fragment cut short by a full disk would end the file in garbage.
                os.ftruncate(self._file.fileno(), self._good)
            except OSError:
                pass  # the drive is gone; players skip a torn last fragment anyway
        self._release()

    def _release(self) -> None:
        encoder, self._encoder = self._encoder, None
        if self._file is not None and not self._file.closed:
            # First, so that after an error no trailer lands behind the cut.
            self._file.close()
        if encoder is not None:
            encoder.abandon()

    def _gone(self) -> bool:
        """Whether the open file was deleted (by hand, or with its folder)."""
        if self._file is None or self._file.closed:
            return not self.path.exists()
        return os.fstat(self._file.fileno()).st_nlink == 0

    def _kept(self) -> bool:
        return self.frames_written > 0 and self.path.exists()
