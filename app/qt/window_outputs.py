"""Recording, snapshots, exports and clip collection: the main window's output half.

A mixin of `MainWindow`; the files themselves are written by `OutputsController`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtWidgets import QFileDialog

from app.outputs.files import OutputError


class OutputsMixin:
    """R records, S snapshots, exports events/segments, and records dataset clips."""

    def _recording_fps(self) -> float:
        info = self.source_info
        measured = float(self.engine.stats().get("capture_fps", 0.0) or 0.0)
        if info is not None and info.kind != "file" and measured > 1.0:
            return measured  # cameras often report a nominal rate they do not deliver
        return float(info.fps) if info is not None and info.fps > 0 else 30.0

    # -- outputs --------------------------------------------------------------------------

    def toggle_recording(self) -> None:
        """R: starts or stops the annotated recording in the output folder."""
        if self.outputs.recording is not None:
            path = self.outputs.stop_recording()
            self.statusBar().showMessage(f"Recording saved: {path}" if path else "Nothing recorded.", 8000)
            return
        try:
            path = self.outputs.start_recording()
        except (OutputError, OSError, ValueError) as err:
            self.show_error("Cannot record", str(err))
            return
        self.statusBar().showMessage(f"Recording to {path}", 4000)

    def _on_recording_changed(self, on: bool) -> None:
        self.rec_label.setText("● REC" if on else "")
        self.rec_label.setStyleSheet("color: #e03030; font-weight: bold;" if on else "")
        error = None if on else self.outputs.recording_error
        if error:
            # Stays until the next message: a recording that stopped must not go unnoticed.
            line = f"{error} Classifying goes on."
            print(f"actionlens: {line}", file=sys.stderr)
            self.statusBar().showMessage(line)

    def save_snapshot(self, path: str | Path | None = None) -> Path | None:
        """S: saves the annotated frame on screen as PNG in the output folder."""
        frame = self.view.shown_frame
        if frame is None:
            self.statusBar().showMessage("No frame to save yet.", 4000)
            return None
        try:
            saved = self.outputs.snapshot(frame, self.view.shown_result, self.preview.prediction, path)
        except (OutputError, OSError) as err:
            self.show_error("Cannot save snapshot", str(err))
            return None
        self.statusBar().showMessage(f"Snapshot saved: {saved}", 6000)
        return saved

    def export_events(self, path: str | Path | None = None, segments: bool = False) -> Path | None:
        """Writes the events (JSONL) or the stable segments (.csv/.json) of this source."""
        if path is None:
            what = "segments (*.csv *.json)" if segments else "events (*.jsonl)"
            default = self.outputs.output_dir / ("segments.csv" if segments else "events.jsonl")
            path, _ = QFileDialog.getSaveFileName(self, "Export", str(default), what)
            if not path:
                return None
        try:
            saved = self.session.export_segments(path) if segments else self.session.export_events(path)
        except (OutputError, OSError) as err:
            self.show_error("Cannot export", str(err))
            return None
        self.statusBar().showMessage(f"Exported {saved}", 6000)
        return saved

    def record_clip(self, label: str, seconds: float) -> Path | None:
        """Records `seconds` of raw frames to `dataset/<label>/<timestamp>.mp4`."""
        if self.source_info is None:
            self.show_error("Cannot record a clip", "Open a camera or a file first.")
            return None
        try:
            path = self.outputs.start_clip(self.collect_panel.dataset_dir, label, seconds)
        except (OutputError, OSError, ValueError, RuntimeError) as err:
            self.show_error("Cannot record a clip", str(err))
            return None
        self.collect_panel.set_recording(f"recording {path.parent.name} for {seconds:g} s…")
        return path

    def _on_clip_finished(self, _path: object) -> None:
        if self.outputs.clip is None:
            return  # already ended early (source ended or changed); this is its late echo
        path = self.outputs.finish_clip()
        self.collect_panel.set_recording(None)
        error = self.outputs.clip_error
        if error:
            print(f"actionlens: {error}", file=sys.stderr)
            self.collect_panel.set_message(error)
        else:
            self.collect_panel.set_message(f"saved {path}" if path else "no frames arrived; nothing saved")
        self.collect_panel.refresh_counts()

