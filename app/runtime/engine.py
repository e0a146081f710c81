"""The real-time engine: a capture thread, one inference thread, and events out.

Threads:
- the capture thread (app/capture/__init__.py) owns cv2.VideoCapture;
- a loader thread imports TensorFlow and loads a bundle, then hands the
  compiled models over; it never runs them (app/runtime/model_loading.py);
- one inference thread owns the models: it reads frames, runs them, and
  emits each frame with the result for that very frame.

Consumers (the GUI, `actionlens run`) connect to `engine.events` (app/runtime/events.py),
e.g. `engine.events.frame_ready.connect(callback)`. Callbacks run on engine threads,
so a GUI must hop to its own thread (a queued signal) and never block here.

Seeks and source changes bump an epoch. A frame read or processed before the
bump is never emitted after it, so once `seek(i)` returns, the next
`frame_ready` is frame i.
"""

from __future__ import annotations

import threading
import time

from app.capture import open_capture
from app.capture.sources import SourceInfo
from app.frames import RateMeter
from app.runtime.events import EngineEvents
from app.runtime.model_loading import ModelLoading
from app.runtime.playback import PlaybackControls
from app.runtime.processor import FrameProcessor
from app.settings import EngineSettings


class Engine(ModelLoading, PlaybackControls):
    """Runs capture and inference; see the module docstring for the threads.

    Args:
        settings: initial window, stride, predictor and smoothing settings.
        device: "auto", "cpu" or "gpu"; a GPU asked for where there is none
            falls back to the CPU with a notice (`error_raised`), never a crash.
        runtime: "auto", "litert" or "keras" (see `app.runtime.runtime_choice`).
    """

    def __init__(self, settings: EngineSettings | None = None, device: str = "auto",
                 runtime: str = "auto"):
        self._settings = settings or EngineSettings()
        self._device_request = device
        self._runtime_request = runtime
        self.events = EngineEvents()
        self._lock = threading.Lock()
        # Held while a frame is checked and emitted, and by seek/step/open_source:
        # after they return, no frame from before them is emitted. Reentrant, so a
        # callback may itself seek.
        self._emit_lock = threading.RLock()
        self._stop = threading.Event()
        self._capture = None
        self._processor: FrameProcessor | None = None
        self._handoff: FrameProcessor | None = None
        self._model_info: dict | None = None
        self._loader: threading.Thread | None = None
        self._thread: threading.Thread | None = None
        self._paused = False
        self._show_from = 0
        self._pause_after: int | None = None
        self._reset_pending = False
        self._ended_reported = False
        self._epoch = 0  # bumped by every seek and source change
        self._expect: int | None = None  # the first frame index the last seek delivers
        self._shown = -1  # index of the last frame emitted
        self._load_gen = 0  # only the newest load_model call may hand its models over
        self._loading = False  # a load_model call is in flight
        # A file opened while the first model loads waits, paused, so it never plays unlabelled.
        self._held_for_model = None
        self._result_rate = RateMeter()
        self._inference_ms = 0.0
        self._latency_ms = 0.0
        self.device_label = "CPU"
        self.runtime_label = ""  # "LiteRT" or "Keras", once a model is loaded

    # -- source -----------------------------------------------------------------------------

    def open_source(
        self, source: str | int, *, realtime: bool = True, loop: bool = False, factory=None, capture=None
    ) -> SourceInfo:
        """Opens a camera, file or URL and starts playing it.

        Args:
            source: camera index, file path or stream URL.
            realtime: files: play at their own fps (False: as fast as possible).
            loop: files: start again at the end.
            factory: makes the VideoCapture-like object (tests and `bench` pass a paced fake camera).
            capture: a capture `open_capture` already opened (not started) for `source`: it is
                kept, not opened again, since many cameras and stream servers take one client.

        Raises:
            SourceError: one line naming the source and what to do.
        """
        if capture is None:
            capture = open_capture(source, realtime=realtime, loop=loop, factory=factory)
        # A lost camera or stream says so (and again when it is back) as a notice.
        capture.on_notice = lambda line: self.events.emit(self.events.error_raised, line)
        with self._emit_lock, self._lock:
            old, self._capture = self._capture, capture
            self._epoch += 1
            self._expect = None
            self._shown = -1
            self._show_from = 0
            self._pause_after = None
            self._paused = False
            self._reset_pending = True
            self._ended_reported = False
        if old is not None:
            old.stop()
        self._hold_for_model(capture)
        capture.start()
        self._ensure_thread()
        return capture.info

    def close_source(self) -> None:
        """Stops and releases the current source."""
        with self._lock:
            old, self._capture = self._capture, None
        if old is not None:
            old.stop()

    @property
    def source_info(self) -> SourceInfo | None:
        capture = self._capture
        return None if capture is None else capture.info

    # -- settings and stats -----------------------------------------------------------------

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    def update_settings(self, settings: EngineSettings) -> None:
        """Applies new settings live; the source keeps playing."""
        self._settings = settings
        processor = self._processor or self._handoff
        if processor is not None:
            processor.update_settings(settings)

    def select_person(self, person_id: int | None) -> None:
        """Several people: results follow `person_id` while they are in view (None: the largest)."""
        processor = self._processor or self._handoff
        if processor is not None:
            processor.select_person(person_id)

    def stats(self) -> dict:
        """Counters for the status line: fps (the source's and the read rate), ms, drops, device,
        runtime, queue backlog and, with several people, ids and id switches."""
        capture = self._capture
        processor = self._processor
        return {
            "capture_fps": capture.capture_fps() if capture is not None else 0.0,
            # A file's own fps, or a live source's measured rate (see `Capture.source_fps`).
            "source_kind": capture.info.kind if capture is not None else "",
            "source_fps": capture.source_fps() if capture is not None else 0.0,
            "model_fps": self._result_rate.rate(),
            "inference_ms": self._inference_ms,
            "latency_ms": self._latency_ms,
            "dropped": capture.dropped if capture is not None else 0,
            "device": self.device_label,
            "runtime": self.runtime_label,
            "backlog": getattr(capture, "backlog", 0) if capture is not None else 0,
            "people": processor.tracking_counts() if processor is not None else None,
        }

    # -- threads ----------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="actionlens-inference")
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stops every thread the engine started; True when none is left running.

        The loader may be inside a TensorFlow import that cannot be interrupted;
        it is a daemon thread that discards its work once it sees the stop.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            self._stop.set()
            self._load_gen += 1  # a loader still running discards its models
        self.close_source()
        if self._thread is None:
            return True
        if self._thread is threading.current_thread():
            return True  # called from a callback: the loop ends when the callback returns
        self._thread.join(max(0.0, deadline - time.monotonic()))
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._adopt_models()
            with self._lock:
                capture, epoch = self._capture, self._epoch
                idle = capture is None or (self._paused and self._pause_after is None)
            if idle:
                self._stop.wait(0.01)
                continue
            frame = capture.read(timeout=0.05)
            if frame is None:
                self._maybe_report_end(capture)
                continue
            with self._lock:
                if capture is not self._capture:
                    continue
                if epoch != self._epoch and frame.index != self._expect:
                    continue  # read while a seek landed, and decoded before it
                epoch = self._epoch
                reset, self._reset_pending = self._reset_pending, False
                show_from = self._show_from
            processor = self._processor
            if reset and processor is not None:
                processor.reset()
            result = None
            if processor is not None:
                try:
                    result = processor.process(frame)
                except Exception as err:
                    self.events.emit(self.events.error_raised, f"inference failed at frame {frame.index}: {err}")
            if frame.index < show_from:
                continue  # pre-roll after a seek: fills the window, not the screen
            self._show(capture, epoch, frame, result)

    def _maybe_report_end(self, capture) -> None:
        with self._lock:
            report = capture.ended and not self._ended_reported and capture is self._capture
            if report:
                self._ended_reported = True
        if report:
            self.events.emit(self.events.source_ended, capture.end_reason)

    def _show(self, capture, epoch: int, frame, result) -> None:
        with self._emit_lock:
            with self._lock:
                if epoch != self._epoch or capture is not self._capture:
                    return  # a seek or a new source came while this frame was processed
                self._shown = frame.index
                pause_here = self._pause_after is not None and frame.index >= self._pause_after
                if pause_here:
                    self._pause_after = None
            if result is not None:
                self._result_rate.tick()
                self._inference_ms = 0.9 * self._inference_ms + 0.1 * result.inference_ms
                self._latency_ms = 0.9 * self._latency_ms + 0.1 * result.latency_ms
            if pause_here:
                capture.pause()
            self.events.emit(self.events.frame_ready, frame, result)
