"""`FileCapture`: a video file read in order through a bounded queue, with seek and pacing."""

from __future__ import annotations

import math
import queue
import threading
import time

import cv2

from app.capture.base import Capture
from app.capture.sources import CaptureFactory
from app.frames import Frame, frames_within

# Short waits keep stop(), seek() and pause() responsive without busy-waiting.
_POLL_S = 0.05
# A file producer this far behind its schedule (slow consumer) restarts pacing from now
# rather than bursting to catch up.
_MAX_LAG_S = 0.25
# Frame counts in container headers are estimates; only a bigger gap means truncation.
_COUNT_SLACK = 2


# Decoded frames waiting for the consumer, in bytes: 32 frames of 640x480, or 7 of 1080p.
DECODE_AHEAD_BYTES = 48 * 2**20


class FileCapture(Capture):
    """A video file: every frame, in order, through a bounded queue.

    Seeks bump a generation counter; frames decoded for an older generation are never
    delivered. `captured_at` is stamped when the producer releases a frame (after pacing),
    so queueing counts as latency but pacing does not. At the end of the file the thread waits (for a seek, `set_loop(True)` or
    `stop()`), so a finished file can still be replayed.

    Args:
        source: file path.
        factory: creates a VideoCapture-like object.
        realtime: pace frames at the file's fps × speed; False delivers as fast as possible.
        loop: restart from frame 0 at the end.
        queue_size: frames decoded ahead of the consumer, at most; large frames get fewer
            (`DECODE_AHEAD_BYTES`), so a 4K file costs little more memory than a small one.
    """

    def __init__(
        self,
        source: str,
        *,
        factory: CaptureFactory | None = None,
        realtime: bool = True,
        loop: bool = False,
        queue_size: int = 32,
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"`queue_size` must be >= 1. Received: queue_size={queue_size}")
        super().__init__(source, factory=factory)
        self._queue_size = queue_size
        self._queue: queue.Queue[tuple[int, Frame]] = queue.Queue(queue_size)
        self._realtime = realtime
        self._loop = loop
        self._speed = 1.0
        self._unpaced_below = 0  # pre-roll frames after a seek skip pacing
        self._paused = False
        self._step = False  # deliver one frame while paused (the target of a seek)
        self._gen = 0
        self._seek_to: int | None = None
        self._restart = False
        self._eof = False
        self._anchor: tuple[float, int] | None = None  # (monotonic time, index) pacing counts from
        self._changed = threading.Event()

    def _open(self, timeout: float) -> None:
        super()._open(timeout)
        # The frame size is known once the file is open, and nothing is decoded before `start`.
        self._queue = queue.Queue(frames_within(self._queue_size, self.info.width, self.info.height,
                                                DECODE_AHEAD_BYTES))

    def _wake(self) -> None:
        self._changed.set()

    def _run(self) -> None:
        cap, fps = self._cap, self.info.fps
        next_index, run_frames = 0, 0
        held: Frame | None = None
        while not self._stop.is_set():
            with self._lock:
                seek, self._seek_to = self._seek_to, None
                restart, self._restart = self._restart, False
                gen = self._gen
                idle = (
                    seek is None
                    and not restart
                    and (self._eof or (self._paused and not self._step))
                )
                if idle:
                    self._changed.clear()
            if idle:
                self._changed.wait()
                continue
            if seek is None and restart:
                with self._lock:
                    self._unpaced_below = 0
            if seek is not None or restart:
                next_index = seek or 0
                cap.set(cv2.CAP_PROP_POS_FRAMES, next_index)
                held, run_frames = None, 0
            if held is None:
                ok, image = cap.read()
                if not ok or image is None:
                    self._at_end(gen, next_index, run_frames)
                    continue
                now = time.monotonic()
                self._count_read(now)
                held = Frame(image, next_index, next_index / fps, now)
                next_index += 1
                run_frames += 1
            if not self._pace(held.index, gen):
                if self._gen != gen:
                    held = None
                continue
            held.captured_at = time.monotonic()
            if self._put(gen, held):
                with self._lock:
                    if self._gen == gen and held.index >= self._unpaced_below:
                        self._step = False
            held = None

    def _at_end(self, gen: int, index: int, run_frames: int) -> None:
        with self._lock:
            if self._gen != gen or self._seek_to is not None:
                return
            if self._loop and run_frames > 0:
                self._restart = True
                return
            self._eof = True
            count = self.info.frame_count
            if count is not None and index < count - _COUNT_SLACK:
                self.end_reason = (
                    f"{self.info.name}: stopped decoding at frame {index} of {count} "
                    "(file truncated?)"
                )

    def _pace(self, index: int, gen: int) -> bool:
        """Wait until frame `index` is due; False when a seek, pause or stop came first."""
        while not self._stop.is_set():
            with self._lock:
                if self._gen != gen or (self._paused and not self._step):
                    return False
                if not self._realtime or index < self._unpaced_below:
                    return True
                now = time.monotonic()
                if self._anchor is None or now - self._due(index) > _MAX_LAG_S:
                    self._anchor = (now, index)
                wait = self._due(index) - now
            if wait <= 0:
                return True
            self._stop.wait(min(wait, _POLL_S))
        return False

    def _due(self, index: int) -> float:
        t0, i0 = self._anchor
        return t0 + (index - i0) / (self.info.fps * self._speed)

    def _put(self, gen: int, frame: Frame) -> bool:
        while not self._stop.is_set() and self._gen == gen:
            try:
                self._queue.put((gen, frame), timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def read(self, timeout: float | None = 0.1) -> Frame | None:
        """Return the next frame in file order, waiting up to `timeout` s (None: until one or end)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = _POLL_S if deadline is None else min(_POLL_S, deadline - time.monotonic())
            try:
                gen, frame = self._queue.get(timeout=max(0.0, left))
            except queue.Empty:
                if self.ended or (deadline is not None and time.monotonic() >= deadline):
                    return None
                continue
            with self._lock:
                if gen != self._gen:
                    continue
                self.position = frame.index
            return frame

    @property
    def ended(self) -> bool:
        with self._lock:
            pending = self._seek_to is not None or self._restart
            return (self._eof or self._done) and not pending and self._queue.empty()

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def seek(self, index: int, preroll: int = 0) -> None:
        """Make frame `index` the next one delivered (also while paused: that one frame).

        With `preroll` > 0, decoding starts that many frames earlier and those
        frames are delivered at once, unpaced, so a consumer can fill its window
        before frame `index` is due.
        """
        count = self.info.frame_count
        if index < 0 or (count is not None and index >= count):
            top = f"{count - 1}" if count is not None else "..."
            raise ValueError(f"`index` must be in [0, {top}]. Received: index={index}")
        with self._lock:
            self._gen += 1
            self._seek_to = max(0, int(index) - max(0, int(preroll)))
            self._unpaced_below = int(index)
            self._eof, self.end_reason = False, None
            self._step = self._paused
            self._anchor = None
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
        self._wake()

    def pause(self) -> None:
        """Stop producing frames (frames already queued can still be read)."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        """Produce frames again; pacing restarts from now."""
        with self._lock:
            self._paused, self._anchor = False, None
        self._wake()

    @property
    def paused(self) -> bool:
        """Whether `pause()` is in effect."""
        return self._paused

    def set_speed(self, speed: float) -> None:
        """Play at `speed` × the file's fps when realtime (e.g. 0.5 or 2.0)."""
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"`speed` must be a positive number. Received: speed={speed}")
        with self._lock:
            self._speed, self._anchor = float(speed), None

    def set_loop(self, loop: bool) -> None:
        """Restart from frame 0 at the end; turning it on after the end restarts now."""
        with self._lock:
            self._loop = bool(loop)
            if self._loop and self._eof:
                self._eof, self.end_reason, self._restart = False, None, True
        self._wake()
