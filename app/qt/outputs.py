"""Recording, snapshots and clip collection: what the GUI writes to disk.

A recording is a video that plays at every moment (`VideoRecorder`) plus its events
as JSON lines beside it (`name.jsonl`), so a crash keeps both. When a file fails
mid-way (a full disk, a removed folder) the recording stops by itself, says why in
`recording_error`, and the engine goes on classifying.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
from PyQt6.QtCore import QObject, Qt, pyqtSignal

from app.frames import Frame
from app.outputs.clip_dataset import clip_path
from app.outputs.event_log import EventLog
from app.outputs.files import OutputError, timestamped_path
from app.outputs.overlay import OverlayRenderer, render_overlay
from app.outputs.writer import FrameWriter
from app.qt.engine_bridge import EngineBridge
from app.results import Result


class OutputsController(QObject):
    """Starts and stops the writers; frames reach them through the bridge's taps.

    Args:
        bridge: the engine bridge whose frames are recorded.
        fps: returns the frame rate to store in new files.
        output_dir: where recordings and snapshots go (created on first use).
    """

    recording_changed = pyqtSignal(bool)  # whether an annotated recording is running
    clip_finished = pyqtSignal(object)  # Path | None of the finished clip
    _recording_ended = pyqtSignal(object)  # FrameWriter that stopped on its own (writer thread)

    def __init__(self, bridge: EngineBridge, fps: Callable[[], float], output_dir: Path,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._fps = fps
        self.output_dir = Path(output_dir)
        self.idle_label = "idle"
        self.skeleton = True  # follows View > Skeleton: recordings and snapshots show what the window shows
        self._status = ""
        self._status_lock = threading.Lock()
        self._recording: FrameWriter | None = None
        self._recording_events: EventLog | None = None
        self._recording_tap: Callable[[Frame, Result | None], None] | None = None
        self._clip: FrameWriter | None = None
        self.recording_error: str | None = None  # why the last recording stopped early
        self.clip_error: str | None = None  # why the last clip stopped early
        self._recording_ended.connect(self._on_recording_ended, Qt.ConnectionType.QueuedConnection)

    # -- state ----------------------------------------------------------------------------

    @property
    def recording(self) -> FrameWriter | None:
        """The annotated recording's writer, or None."""
        return self._recording

    @property
    def clip(self) -> FrameWriter | None:
        """The dataset clip's writer, or None."""
        return self._clip

    def set_status(self, text: str) -> None:
        """The status line drawn into recorded frames (read on the writer thread)."""
        with self._status_lock:
            self._status = text

    def _status_text(self) -> str:
        with self._status_lock:
            return self._status

    def _new_path(self, prefix: str, suffix: str) -> Path:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        return timestamped_path(self.output_dir, f"{prefix}-", suffix)

    # -- annotated recording --------------------------------------------------------------

    def start_recording(self, path: str | Path | None = None) -> Path:
        """Records annotated frames (as `render_overlay` draws them) from the next frame on,
        and their results as JSON lines in a `.jsonl` file beside the video.

        Raises:
            OutputError: a file cannot be created.
        """
        if self._recording is not None:
            return self._recording.path
        path = Path(path) if path is not None else self._new_path("recording", ".mp4")
        events = EventLog(path.with_suffix(".jsonl"))
        try:
            writer = FrameWriter(path, self._fps(), render=OverlayRenderer(self._status_text, self.idle_label,
                                                                               skeleton=self.skeleton),
                                 on_done=lambda _path: self._recording_ended.emit(writer))
        except BaseException:
            events.close()
            events.path.unlink(missing_ok=True)
            raise

        def tap(frame: Frame, result: Result | None) -> None:
            writer.push(frame, result)
            if result is not None and not events.closed:
                try:
                    events.write(result)  # False once stopped; the reason is read at the stop
                except OutputError:
                    pass  # closed by stop_recording while this frame was on its way

        self._recording, self._recording_events, self._recording_tap = writer, events, tap
        self.recording_error = None
        self._bridge.add_tap(tap)
        self.recording_changed.emit(True)
        return writer.path

    def stop_recording(self, timeout: float = 2.0) -> Path | None:
        """Finalises the recording; returns its path (None if no frame was written)."""
        writer, self._recording = self._recording, None
        if writer is None:
            return None
        self._bridge.remove_tap(self._recording_tap)
        path = writer.close(timeout)
        self._recording_events.close()
        self.recording_error = writer.error or self._recording_events.error
        self._recording_events = self._recording_tap = None
        self.recording_changed.emit(False)
        return path

    def _on_recording_ended(self, writer: FrameWriter) -> None:
        if writer is self._recording and writer.error:
            self.stop_recording()  # the file said no: stop here, the picture goes on

    # -- snapshot -------------------------------------------------------------------------

    def snapshot(self, frame: Frame, result: Result | None, preview=None, path: str | Path | None = None) -> Path:
        """Saves the annotated frame on screen as PNG.

        Raises:
            OutputError: the image cannot be written.
        """
        path = Path(path) if path is not None else self._new_path("snapshot", ".png")
        image = render_overlay(frame.image, result, status=self._status_text(), preview=preview,
                               top_k=3, idle_label=self.idle_label, skeleton=self.skeleton)
        if not cv2.imwrite(str(path), image):
            raise OutputError(f"Cannot write snapshot {path}: check the folder exists and is writable.")
        return path

    # -- clip collection ------------------------------------------------------------------

    def start_clip(self, dataset_dir: str | Path, label: str, seconds: float) -> Path:
        """Records the next `seconds` of raw frames to `dataset_dir/label/<timestamp>.mp4`.

        Raises:
            LabelError: the label cannot name a folder.
            OutputError: the file cannot be created.
            RuntimeError: a clip is already recording.
        """
        if self._clip is not None:
            raise RuntimeError(f"A clip is already recording to {self._clip.path}; wait for it to finish.")
        fps = self._fps()
        frames = max(1, round(seconds * fps))
        self.clip_error = None
        path = clip_path(dataset_dir, label)
        writer = FrameWriter(path, fps, max_frames=frames, on_done=self._clip_done_on_writer_thread)
        self._clip = writer
        self._bridge.add_tap(writer.push)
        return writer.path

    def finish_clip(self, timeout: float = 2.0) -> Path | None:
        """Ends the clip now (also when it ended by itself); returns its path."""
        writer, self._clip = self._clip, None
        if writer is None:
            return None
        self._bridge.remove_tap(writer.push)
        path = writer.close(timeout)
        self.clip_error = writer.error
        return path

    def _clip_done_on_writer_thread(self, path: Path | None) -> None:
        self.clip_finished.emit(path)  # queued to the GUI thread, which calls finish_clip

    def close(self, timeout: float = 2.0) -> None:
        """Finalises every open file (window closing)."""
        deadline = time.monotonic() + timeout
        self.stop_recording(max(0.1, deadline - time.monotonic()))
        self.finish_clip(max(0.1, deadline - time.monotonic()))
