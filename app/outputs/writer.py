"""Writes frames to a video on a thread of its own, so neither GUI nor engine waits on encoding.

Frames are pushed from the engine thread (the GUI's `EngineBridge` tap, or
`actionlens run`) into a bounded queue. For a live source a full queue drops the
frame (counted) rather than slow the engine down; for a file (`block=True`) the
engine waits, because every frame of a file belongs in its recording.
No Qt here: completion is reported through a plain callback.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.frames import Frame, frames_within
from app.outputs.recorder import VideoRecorder
from app.results import Result

Render = Callable[[Frame, "Result | None"], np.ndarray]
# About a second of video: rides out an encoder hiccup, yet a crash costs at most this
# queue plus one fragment (app/outputs/encoder.py), about 2 s in all.
_QUEUE_SECONDS = 1.0
_QUEUE_FRAMES = (8, 64)  # bounds on the queue, in frames
_QUEUE_BYTES = 64 * 2**20  # and in bytes: 64 frames of 640x480, 10 of 1080p
_STOP = object()


class FrameWriter:
    """Records pushed frames to `path` until closed or `max_frames` are written.

    Args:
        path: the .mp4 or .avi file; it plays at every moment (see `VideoRecorder`).
        fps: the nominal frame rate (the source's): a file's frames are 1 / fps apart in
            the video, a live source's keep the gaps between their arrival times.
        render: turns (frame, result) into the BGR image to write; None writes
            the raw frame.
        max_frames: stop by itself after this many frames (a fixed-length clip).
        frame_size: (height, width) of the video; None takes the first frame's.
        block: `push` waits for room instead of dropping (files: every frame counts).
        on_done: called once with the final path (or None if nothing was written),
            on the writer thread, when writing ends by itself (`max_frames` reached,
            or a write error: see `error`) or by `close()`.

    Raises:
        OutputError: `path` cannot be written (raised here, before any frame).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float,
        render: Render | None = None,
        max_frames: int | None = None,
        on_done: Callable[[Path | None], None] | None = None,
        frame_size: tuple[int, int] | None = None,
        block: bool = False,
    ) -> None:
        self._recorder = VideoRecorder(path, fps, frame_size)
        self._block = block
        self.path = self._recorder.path
        self._render = render
        self._max_frames = max_frames
        self._on_done = on_done
        low, high = _QUEUE_FRAMES
        frames = min(high, max(low, round(fps * _QUEUE_SECONDS)))
        if frame_size is not None:
            # 64 frames of 1080p would be 400 MB waiting for the encoder; the bound is in bytes too.
            frames = frames_within(frames, frame_size[1], frame_size[0], _QUEUE_BYTES)
        self._queue: queue.Queue = queue.Queue(maxsize=frames)
        self._accepted = 0
        self.dropped = 0
        self.result_path: Path | None = None
        self.error: str | None = None
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name="actionlens-writer", daemon=True)
        self._thread.start()

    @property
    def frames_written(self) -> int:
        """Frames encoded so far."""
        return self._recorder.frames_written

    @property
    def seconds_written(self) -> float:
        """How far into the video the last frame written sits, in seconds."""
        return self._recorder.seconds

    @property
    def finished(self) -> bool:
        """Whether the file is final (closed, or `max_frames` reached)."""
        return self._finished.is_set()

    def push(self, frame: Frame, result: Result | None) -> None:
        """Queues a frame; call from any thread. Never blocks unless made with `block=True`,
        and then only while the writer is alive and behind."""
        if self._finished.is_set() or (self._max_frames is not None and self._accepted >= self._max_frames):
            return
        while True:
            try:
                if self._block:
                    self._queue.put((frame, result), timeout=0.1)
                else:
                    self._queue.put_nowait((frame, result))
                self._accepted += 1
                return
            except queue.Full:
                if not self._block or self._finished.is_set():
                    self.dropped += 1
                    return

    def close(self, timeout: float = 2.0) -> Path | None:
        """Writes what is queued, finalises the file and joins the thread.

        Returns:
            The final path, or None when no frame was written.
        """
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            pass  # the thread is stuck in the encoder; the join below is bounded anyway
        self._thread.join(timeout)
        return self.result_path

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                frame, result = item
                image = frame.image if self._render is None else self._render(frame, result)
                # A live frame's arrival time keeps the source's own timing in the video.
                if not self._recorder.write(image, frame.source_time if frame.live else None):
                    self.error = self._recorder.error
                    break
                if self._max_frames is not None and self._recorder.frames_written >= self._max_frames:
                    break
        except Exception as err:  # reported to the user; what was written is still finalised
            self.error = f"Recording to {self.path} failed: {err}"
        finally:
            self.result_path = self._recorder.close()
            self.error = self.error or self._recorder.error
            self._finished.set()
            if self._on_done is not None:
                self._on_done(self.result_path)
