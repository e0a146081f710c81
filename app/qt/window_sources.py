"""Opening sources and driving playback: the main window's source half.

A mixin of `MainWindow`; it uses the window's engine, widgets and store.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import QApplication, QFileDialog

from app.capture.sources import SourceError, is_url
from app.qt import paths
from model.data.manifests import VIDEO_EXTENSIONS

VIDEO_FILTER = f"Videos ({' '.join('*' + e for e in VIDEO_EXTENSIONS)});;All files (*)"


class SourcesMixin:
    """Cameras, files, URLs, the demo clip, drag and drop, and play/pause/seek/step."""

    def _rescan_cameras(self) -> None:
        if self.camera_probe.start():
            self.source_panel.set_cameras(None)

    def _on_cameras_found(self, indices: list) -> None:
        self.source_panel.set_cameras(indices)
        if self._auto_source:
            self._auto_source = False
            if not (indices and self.open_source(indices[0], quiet=True)):
                self.play_demo(notice=True)

    # -- sources ------------------------------------------------------------------------

    def open_source(self, source: str | int, quiet: bool = False, loop: bool | None = None) -> bool:
        """Opens a camera, file or URL; a bad one shows a dialog and the old source keeps playing.

        A stream URL may take seconds to answer, so it opens on a worker thread and
        this returns True at once; files and cameras open here, in milliseconds.
        """
        loop = self.playback.loop if loop is None else loop
        if isinstance(source, str) and is_url(source):
            self._open_stream_async(source)
            return True
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            info = self.engine.open_source(source, realtime=True, loop=loop)
        except (SourceError, OSError, ValueError) as err:
            if not quiet:
                self.show_error("Cannot open source", str(err))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._source_opened(source, info)
        return True

    def _open_stream_async(self, url: str) -> None:
        if not getattr(self, "_stream_hooked", False):
            self._stream_hooked = True
            self.stream_opened.connect(self._on_stream_opened)
        self.source_panel.set_current(f"opening {url} …")

        def work() -> None:
            try:
                info, error = self.engine.open_source(url, realtime=True), None
            except (SourceError, OSError, ValueError) as err:
                info, error = None, str(err)
            if not self._closing:
                self.stream_opened.emit(url, info, error)  # queued: lands on the GUI thread

        threading.Thread(target=work, name="actionlens-open-stream", daemon=True).start()

    def _on_stream_opened(self, url: str, info, error: str | None) -> None:
        if error is not None:
            self.show_error("Cannot open source", error)
            current = self.source_info
            self.source_panel.set_current("" if current is None else current.name)
            return
        self._source_opened(url, info)

    def _source_opened(self, source: str | int, info) -> None:
        self._auto_source = False
        self.outputs.stop_recording()
        if self.outputs.clip is not None:
            self._on_clip_finished(None)  # a clip never mixes two sources
        self.source_info = info
        self._ended = False
        self.bridge.clear()
        self.view.clear()
        self.view.set_notice("")
        self.preview.clear()
        self.timeline.clear()
        self.session.reset()
        self.playback.set_source(info)
        self.playback.set_paused(False)
        if getattr(self.engine, "waiting_for_model", False):
            self.view.set_state("loading model… the file starts when it is ready")
        if info.kind == "file":
            self.engine.set_speed(self.playback.speed)
            if isinstance(source, str | Path) and Path(source).is_file():
                self.store.add_recent_file(source)
                self.source_panel.set_recent(self.store.recent_files())
        self._source_rate_seen = False
        self.show_source_rate()
        self.setWindowTitle(f"ActionLens: {info.name}")

    def show_source_rate(self, measured: float = 0.0) -> None:
        """Says in the source panel what is playing and at what rate: a file's own fps, a
        camera's or stream's measured one (what they report is often wrong: an MJPEG
        stream over HTTP always says 25)."""
        info = self.source_info
        if info is None:
            return
        if info.kind == "file":
            rate = f"{info.fps:.4g} fps" if info.fps else "fps unknown"
        elif measured > 0:
            self._source_rate_seen = True
            rate = f"{measured:.1f} fps measured"
        else:
            rate = "no frames coming in" if getattr(self, "_source_rate_seen", False) else "measuring fps…"
        self.source_panel.set_current(f"{info.name} ({info.kind}, {info.width}×{info.height}, {rate})")

    def play_demo(self, notice: bool = True) -> bool:
        """Plays the bundled demo clip in a loop; `notice` says why on screen."""
        clip = paths.default_demo_clip()
        if not clip.is_file():
            self.view.set_notice(f"No camera found and no demo clip at {clip}: open a file (Ctrl+O).")
            return False
        opened = self.open_source(str(clip), loop=True)
        if opened:
            self.playback.loop_box.setChecked(True)
            if notice:
                self.view.set_notice("No camera and no file given: playing the bundled demo clip "
                                     f"({clip.name}). Open a file with Ctrl+O.")
        return opened

    def open_file_dialog(self) -> None:
        """Ctrl+O: picks a video file and opens it."""
        recent = self.store.recent_files()
        start = str(Path(recent[0]).parent) if recent else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", start, VIDEO_FILTER)
        if path:
            self.open_source(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_source(files[0])

    # -- playback -------------------------------------------------------------------------

    def toggle_play(self) -> None:
        """Space: pause or resume; at the end of a file, play it again from the start."""
        if self.source_info is None:
            return
        if self._ended and self.source_info.kind == "file":
            self._ended = False
            self.engine.seek(0)
            self.engine.resume()
        elif self.engine.paused:
                self.engine.resume()
        else:
            self.engine.pause()
        self.playback.set_paused(self.engine.paused)

    def seek(self, index: int) -> None:
        """Shows frame `index` of a file next, with the result for that frame."""
        self._ended = False
        self.engine.seek(int(index))

    def step(self, delta: int) -> None:
        """Left/Right: one frame back or forward (files), pausing first.

        `Engine.step` counts from the frame asked for last, not the one painted, so a
        quick double press moves two frames even before the first is painted.
        """
        if self.source_info is None or self.source_info.kind != "file":
            return
        self._ended = False
        self.engine.step(int(delta))
        self.playback.set_paused(True)
