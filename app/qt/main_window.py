"""The ActionLens window: video with its label, probabilities, timeline, preview and controls.

The window only paints. Engine events arrive through `EngineBridge` as queued
signals; frames are coalesced so a slow paint skips frames instead of lagging.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.capture.sources import SourceInfo
from app.outputs.overlay import status_text
from app.outputs.session_log import SessionLog
from app.qt.camera_probe import CameraLister, CameraProbe
from app.qt.engine_bridge import EngineBridge
from app.qt.main_actions import install_actions
from app.qt.outputs import OutputsController
from app.qt.paths import default_output_dir
from app.qt.settings_store import SettingsStore
from app.qt.train_controller import TrainController
from app.qt.widgets.collect_panel import CollectPanel
from app.qt.widgets.fetch_bar import FetchBar
from app.qt.widgets.people_painter import people_text
from app.qt.widgets.playback_bar import PlaybackBar
from app.qt.widgets.preview_pane import PreviewPane
from app.qt.widgets.prob_bars import ProbBars
from app.qt.widgets.settings_panel import SettingsPanel
from app.qt.widgets.source_panel import SourcePanel
from app.qt.widgets.timeline import Timeline
from app.qt.widgets.video_view import VideoView
from app.qt.window_outputs import OutputsMixin
from app.qt.window_sources import SourcesMixin

_END_OF_FILE = "End of file. Space plays it again."
CLOSE_TIMEOUT_S = 1.8  # closing must return within 2 s, engine and writers included


class MainWindow(SourcesMixin, OutputsMixin, QMainWindow):
    """The main window around an engine (`app.runtime.engine.Engine` or anything with its interface).

    Args:
        engine: the engine to show and drive; the window stops it on close.
        store: remembered settings (default: the user's QSettings).
        camera_lister: returns camera indices (default: `app.capture.sources.list_cameras`).
        show_dialogs: False sends errors to stderr instead of modal dialogs (snapshot runs).
    """

    frame_shown = pyqtSignal(object, object)  # Frame, Result | None: after the view took it
    closed = pyqtSignal()  # none: the window has stopped the engine and closed its files
    stream_opened = pyqtSignal(object, object, object)  # source, SourceInfo | None, error text | None

    def __init__(self, engine, store: SettingsStore | None = None,
                 camera_lister: CameraLister | None = None, show_dialogs: bool = True) -> None:
        super().__init__()
        self.engine = engine
        self.store = store or SettingsStore()
        self.show_dialogs = show_dialogs
        self.source_info: SourceInfo | None = None
        self.model_info: dict | None = None
        self.frames_with_result = 0
        self._idle_label = "idle"
        self._ended = False
        self._end_said = False  # the view and the play button say the file ended
        self._closing = False
        self._auto_source = False
        self.setWindowTitle("ActionLens")
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.bridge = EngineBridge(engine, self)
        self.session = SessionLog()
        self.outputs = OutputsController(self.bridge, self._recording_fps,
                                         self.store.path("output_dir", default_output_dir()), self)
        self.camera_probe = CameraProbe(camera_lister, self)
        self._build_widgets()
        install_actions(self)
        self._connect()
        self.trainer = TrainController(self)  # the Collect panel's Train button

        # How many people to follow is the command line's (or the engine's) word, not a stored one.
        settings = self.store.engine_settings(engine.settings).replace(max_people=engine.settings.max_people)
        self.settings_panel.set_settings(settings)
        if settings != engine.settings:
            engine.update_settings(settings)
        self._stats_timer = QTimer(self, interval=500, timeout=self._on_stats_timer)
        self._timeline_timer = QTimer(self, interval=66, timeout=self.timeline.refresh)
        self._stats_timer.start()
        self._timeline_timer.start()

    # -- layout ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.view = VideoView()
        self.view.set_state("loading model…")
        self.playback = PlaybackBar()
        self.timeline = Timeline()
        self.bars = ProbBars(3)
        self.preview = PreviewPane()
        self.source_panel = SourcePanel()
        self.settings_panel = SettingsPanel()
        self.collect_panel = CollectPanel(self.store.path("dataset_dir", default_output_dir() / "dataset"),
                                          is_live=lambda: self.source_info is not None and self.source_info.kind != "file")
        left = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.playback)
        left.addWidget(top)
        left.addWidget(self.timeline)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 1)
        left.setSizes([600, 170])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.source_panel, "Source")
        self.tabs.addTab(self.settings_panel, "Settings")
        self.tabs.addTab(self.collect_panel, "Collect")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addWidget(QLabel("Top classes"))
        right_layout.addWidget(self.bars)
        right_layout.addWidget(QLabel("Next-frame preview"))
        right_layout.addWidget(self.preview)
        right_layout.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.status_label = QLabel("")
        self.rec_label = QLabel("")
        self.statusBar().addPermanentWidget(self.rec_label)
        self.statusBar().addPermanentWidget(self.status_label)
        self.fetch_bar = FetchBar()  # shown only while BlazePose downloads, on first use
        self.statusBar().addPermanentWidget(self.fetch_bar)
        self.source_panel.set_recent(self.store.recent_files())

    def _connect(self) -> None:
        queued = Qt.ConnectionType.QueuedConnection
        self.bridge.connect_frames(self._on_frame_ready)
        self.bridge.model_loaded.connect(self._on_model_loaded, queued)
        self.bridge.model_failed.connect(self._on_model_failed, queued)
        self.bridge.source_ended.connect(self._on_source_ended, queued)
        self.bridge.error_raised.connect(self._on_engine_error, queued)
        self.bridge.fetch_progressed.connect(self.fetch_bar.on_bytes, queued)
        self.bridge.model_failed.connect(self.fetch_bar.end, queued)
        self.camera_probe.cameras_found.connect(self._on_cameras_found, queued)
        self.playback.play_toggled.connect(self.toggle_play)
        self.playback.seek_requested.connect(self.seek)
        self.playback.step_requested.connect(self.step)
        self.playback.speed_changed.connect(self.engine.set_speed)
        self.playback.loop_changed.connect(self.engine.set_loop)
        self.settings_panel.settings_changed.connect(self._on_settings_changed)
        self.settings_panel.model_dir_chosen.connect(self.load_model)
        self.source_panel.source_requested.connect(self.open_source)
        self.source_panel.open_file_requested.connect(self.open_file_dialog)
        self.source_panel.rescan_requested.connect(self._rescan_cameras)
        self.source_panel.demo_requested.connect(lambda: self.play_demo(notice=False))
        self.collect_panel.clip_requested.connect(self.record_clip)
        self.collect_panel.dataset_dir_chosen.connect(lambda d: self.store.set_path("dataset_dir", d))
        self.outputs.recording_changed.connect(self._on_recording_changed)
        # Several people: the bars, timeline and Collect panel follow whoever is clicked.
        self.view.person_clicked.connect(lambda pid: self.engine.select_person(pid or None))
        self.outputs.clip_finished.connect(self._on_clip_finished, queued)

    # -- start-up -------------------------------------------------------------------------

    def start(self, source: str | int | None, model_dir: str | Path | None) -> None:
        """Loads the model in the background and opens `source`.

        With no source, the first camera found is opened, else the demo clip plays.
        """
        if model_dir is not None:
            self.load_model(str(model_dir))
        self._auto_source = source is None
        self._rescan_cameras()
        if source is not None:
            self.open_source(source)

    def load_model(self, path: str) -> None:
        """Asks the engine to load a bundle; the window says "loading model…" until it answers."""
        self.view.set_state("loading model…")
        self.preview.set_message("loading model…")
        self.engine.load_model(path)

    # -- engine events (GUI thread) -------------------------------------------------------

    def _on_frame_ready(self) -> None:
        delivery = self.bridge.take()
        if delivery is not None and not self._closing:
            frame, result = delivery.frame, delivery.result
            if self._end_said and not self._ended:
                # Playing again (Space, a seek, a step): the end of file is no longer the news.
                self._end_said = False
                if self.view.notice == _END_OF_FILE:
                    self.view.set_notice("")
                self.playback.set_paused(bool(self.engine.paused))
            self.view.show_frame(frame, result)
            self.bars.set_result(result)
            self.preview.show_frame(frame, result)
            self.playback.set_position(frame.index, frame.source_time if frame.live else None)
            if delivery.results:
                self.timeline.add_results(delivery.results)
                self.session.add(delivery.results)
            if result is not None:
                self.frames_with_result += 1
            self.frame_shown.emit(frame, result)
        self.bridge.rearm()

    def _on_model_loaded(self, info: dict) -> None:
        self.model_info = info
        if info.get("path"):
            self.store.set_path("model_dir", str(info["path"]))  # only a bundle that loaded is remembered
        self._idle_label = str(info.get("idle_label", "idle"))
        labels = tuple(info.get("labels", ()))
        for widget in (self.view, self.bars):
            widget.set_labels(labels, self._idle_label)
        self.timeline.set_labels(labels, self._idle_label, str(info.get("background_label", "")))
        self.outputs.idle_label = self._idle_label
        self.view.set_state("")
        self.preview.set_message("waiting for the first prediction…" if info.get("has_predictor", True)
                                 else "this model has no next-frame predictor")
        self.settings_panel.set_model_info(info)
        # The whole summary runs past the status bar's permanent fields and was cut mid-word;
        # the classes are on screen in the bars, the summary is Settings → Model's tooltip.
        folder = Path(str(info.get("path", ""))).name or "model"
        self.statusBar().showMessage(f"Model loaded: {folder}, {len(labels)} classes", 8000)

    def _on_model_failed(self, message: str) -> None:
        if self.model_info is not None:  # the engine keeps the model it had
            self.view.set_state("")
            self.show_error("Model not loaded", message + "\n\nThe model loaded before keeps running. "
                            "Choose another bundle folder under Settings → Model.")
            return
        self.view.set_state("no model: see the message")  # shrunk to fit the view, never cut
        self.preview.set_message("no model loaded")
        self.show_error("Model not loaded", message + "\n\nThe video keeps playing without labels. "
                        "Choose another bundle folder under Settings → Model.")

    def _on_source_ended(self, reason: object) -> None:
        self._ended = True
        if self.outputs.clip is not None:
            self._on_clip_finished(None)  # no more frames will come: keep what was recorded
        if reason is None:
            # Said where the eye is, and on the button that acts on it, not only for 8 s below.
            self._end_said = True
            self.view.set_notice(_END_OF_FILE)
            self.playback.set_ended()
            self.statusBar().showMessage(_END_OF_FILE, 8000)
        else:
            self.view.set_notice(f"Source stopped: {reason}")
            self.statusBar().showMessage(f"Source stopped: {reason}", 8000)

    def _on_engine_error(self, message: str) -> None:
        print(f"actionlens: {message}", file=sys.stderr)
        self.statusBar().showMessage(message, 8000)

    def _on_settings_changed(self, settings) -> None:
        self.engine.update_settings(settings)
        self.store.set_engine_settings(settings)

    def _on_stats_timer(self) -> None:
        stats = self.engine.stats()
        text = status_text(stats)
        people = people_text(self.view.shown_result)
        if people:
            text = f"{text} | {people}"
        if stats.get("source_kind") not in (None, "", "file"):
            self.show_source_rate(float(stats.get("source_fps", 0.0)))
        self.status_label.setText(text)
        # A count a user cannot act on stays off the line; it is there for whoever asks.
        self.status_label.setToolTip(
            f"{self.bridge.skipped_paints} frames were not painted because a newer one had already "
            "arrived (the picture keeps up with the source instead of lagging behind it).")
        self.outputs.set_status(text)
        writer = self.outputs.recording
        if writer is not None:
            self.rec_label.setText(f"● REC {writer.seconds_written:.0f} s")
        clip = self.outputs.clip
        if clip is not None:
            self.collect_panel.set_recording(f"recording {clip.path.parent.name}: {clip.frames_written} frames…")

    # -- errors and closing ---------------------------------------------------------------

    def show_error(self, title: str, message: str) -> None:
        """A modal warning naming what failed (stderr instead when dialogs are off)."""
        if self.show_dialogs:
            QMessageBox.warning(self, title, message)
        else:
            print(f"actionlens: {title}: {message.strip().splitlines()[0]}", file=sys.stderr)

    def toggle_fullscreen(self) -> None:
        """F: fullscreen on or off."""
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._closing:
            self._closing = True
            deadline = time.monotonic() + CLOSE_TIMEOUT_S
            self._stats_timer.stop()
            self._timeline_timer.stop()
            self.camera_probe.cancel(0.2)
            self.trainer.close()
            self.engine.stop(timeout=max(0.2, (deadline - time.monotonic()) * 0.6))
            self.bridge.detach()  # after stop: the last frames still reached the recorder
            self.outputs.close(max(0.2, deadline - time.monotonic()))
            self.store.sync()
            self.closed.emit()
        event.accept()
