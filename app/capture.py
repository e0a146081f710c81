"""The capture thread: one thread per source opens, reads and releases its VideoCapture.

Live sources (camera, URL) keep only the latest frame in one slot, so a slow consumer
skips frames instead of falling behind. Files go through a bounded queue, so every frame
arrives once and in order; the producer blocks while the queue is full.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque

import cv2

from app.frames import Frame
from app.sources import (
    OPEN_TIMEOUT_S,
    CaptureFactory,
    SourceInfo,
    VideoCaptureLike,
    default_factory,
    is_url,
    open_timeout_error,
    open_video,
    parse_source,
    source_name,
)

# Short waits keep stop(), seek() and pause() responsive without busy-waiting.
_POLL_S = 0.05
# A file producer this far behind its schedule (slow consumer) restarts pacing from now
# rather than bursting to catch up.
_MAX_LAG_S = 0.25
# Frame counts in container headers are estimates; only a bigger gap means truncation.
_COUNT_SLACK = 2


class Capture:
    """Base class: the thread, its lifetime, counters and timing shared by both kinds.

    Create one with `open_capture`, then `start()` it and `read()` frames; `stop()` it
    when done (also after `ended`), which joins the thread.
    """

    is_live: bool = False

    def __init__(self, source: int | str, *, factory: CaptureFactory | None = None) -> None:
        self._source = source
        self._factory = factory or default_factory
        self.info: SourceInfo = SourceInfo("file", source_name(source), 0.0, None, 0, 0)
        self.end_reason: str | None = None
        self.dropped = 0
        self.frames_read = 0
        self.position = -1
        self._cap: VideoCaptureLike | None = None
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._go = threading.Event()
        self._opened = threading.Event()
        self._open_error: BaseException | None = None
        self._done = False
        self._read_times: deque[float] = deque(maxlen=1024)
        self._thread = threading.Thread(
            target=self._main, name=f"actionlens-capture {self.info.name}", daemon=True
        )

    def _open(self, timeout: float) -> None:
        # Opening in the capture thread keeps open, read and release in one thread.
        self._thread.start()
        if not self._opened.wait(timeout):
            self._stop.set()
            self._go.set()
            raise open_timeout_error(self._source, timeout)
        if self._open_error is not None:
            self._thread.join(timeout)
            raise self._open_error

    def _main(self) -> None:
        try:
            try:
                self._cap, self.info = open_video(self._source, factory=self._factory)
            except BaseException as exc:  # re-raised in the caller by _open
                self._open_error = exc
                return
            finally:
                self._opened.set()
            self._go.wait()
            if not self._stop.is_set():
                self._run()
        except Exception as exc:
            self.end_reason = f"{self.info.name}: capture failed: {exc}"
        finally:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def _run(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Wake a producer waiting for a state change (subclasses that wait override it)."""

    def _count_read(self, now: float) -> None:
        with self._lock:
            self.frames_read += 1
            self._read_times.append(now)

    def start(self) -> Capture:
        """Start reading frames; returns self so `open_capture(...).start()` chains."""
        self._go.set()
        return self

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to end and join it.

        Args:
            timeout: seconds to wait for the thread.

        Returns:
            True when the thread has ended (and released the capture).
        """
        self._stop.set()
        self._go.set()
        self._wake()
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def read(self, timeout: float | None = 0.1) -> Frame | None:
        """Return the next frame, or None when none came within `timeout` seconds."""
        raise NotImplementedError

    @property
    def ended(self) -> bool:
        """True once the source finished (or failed) and nothing is left to read."""
        raise NotImplementedError

    @property
    def backlog(self) -> int:
        """Frames waiting to be read (live: 0 or 1)."""
        raise NotImplementedError

    def pause(self) -> None:
        """Pause a file; a live source cannot pause, so this does nothing there."""

    def resume(self) -> None:
        """Resume a paused file; does nothing for a live source."""

    def capture_fps(self) -> float:
        """Frames per second read from the source over about the last second."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._read_times if now - t <= 1.0]
        if len(recent) < 2 or recent[-1] <= recent[0]:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def __enter__(self) -> Capture:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LiveCapture(Capture):
    """A camera or stream: one latest-frame slot; unread frames that get overwritten count
    in `dropped`. Frame index counts reads; `source_time` is seconds since `start()`.

    Args:
        source: camera index or URL.
        factory: creates a VideoCapture-like object (tests inject fakes).
        reconnect_s: how long to retry reopening after reads fail before ending.
    """

    is_live = True

    def __init__(
        self, source: int | str, *, factory: CaptureFactory | None = None, reconnect_s: float = 5.0
    ) -> None:
        super().__init__(source, factory=factory)
        self._reconnect_s = reconnect_s
        self._slot: Frame | None = None

    def _run(self) -> None:
        start = time.monotonic()
        index = 0
        while not self._stop.is_set():
            ok, image = self._cap.read()
            if not ok or image is None:
                if self._reconnect():
                    continue
                return
            now = time.monotonic()
            frame = Frame(image, index, now - start, now)
            index += 1
            self._count_read(now)
            with self._cond:
                if self._slot is not None:
                    self.dropped += 1
                self._slot = frame
                self._cond.notify_all()

    def _reconnect(self) -> bool:
        self._cap.release()
        self._cap = None
        deadline = time.monotonic() + self._reconnect_s
        delay = 0.1
        # Backoff: an unplugged camera needs a moment; hammering it helps nobody.
        while not self._stop.wait(max(0.0, min(delay, deadline - time.monotonic()))):
            cap = self._factory(self._source)
            if cap.isOpened():
                self._cap = cap
                return True
            cap.release()
            if time.monotonic() >= deadline:
                self.end_reason = (
                    f"{self.info.name}: stopped sending frames and did not come back within "
                    f"{self._reconnect_s:g} s. Check the cable or the stream, then open it again."
                )
                return False
            delay = min(delay * 2, 1.0)
        return False

    def read(self, timeout: float | None = 0.1) -> Frame | None:
        """Return the latest unread frame, waiting up to `timeout` s (None: until one or end)."""
        with self._cond:
            self._cond.wait_for(lambda: self._slot is not None or self._done, timeout)
            frame, self._slot = self._slot, None
            if frame is not None:
                self.position = frame.index
            return frame

    @property
    def ended(self) -> bool:
        with self._lock:
            return self._done and self._slot is None

    @property
    def backlog(self) -> int:
        return int(self._slot is not None)


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
        queue_size: frames decoded ahead of the consumer.
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


def open_capture(
    source: str | int,
    *,
    realtime: bool = True,
    loop: bool = False,
    queue_size: int = 32,
    factory: CaptureFactory | None = None,
    open_timeout: float = OPEN_TIMEOUT_S,
    reconnect_s: float = 5.0,
) -> Capture:
    """Open a source in its own capture thread; call `start()` on the result to read.

    Args:
        source: what the user typed: "0" (camera), an rtsp:// or http(s):// URL, or a path.
        realtime: files only: pace at the file's fps; False (--fast) as fast as possible.
        loop: files only: restart at the end.
        queue_size: files only: frames decoded ahead.
        factory: creates a VideoCapture-like object (default: OpenCV; tests inject fakes).
        open_timeout: wall-clock bound on opening, in seconds.
        reconnect_s: live only: how long to retry after the source stops sending.

    Returns:
        A `LiveCapture` (camera, URL) or a `FileCapture`, opened but not started.

    Raises:
        SourceError: the source is missing, not a video, or does not open in time.
    """
    parsed = parse_source(source)
    if isinstance(parsed, int) or is_url(parsed):
        capture: Capture = LiveCapture(parsed, factory=factory, reconnect_s=reconnect_s)
    else:
        capture = FileCapture(
            parsed, factory=factory, realtime=realtime, loop=loop, queue_size=queue_size
        )
    capture._open(open_timeout)
    return capture
