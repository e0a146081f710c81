"""The Train button's logic: check the dataset, train in a child process, offer the new model.

Training always starts from the model the window is running (its bundle folder)
and writes a new bundle under `<output folder>/models/`. The running model is
untouched until the user asks for the new one, so a failed or cancelled run
costs nothing but the time it took.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtCore import QObject, Qt

from app.outputs.clip_survey import survey
from app.outputs.files import timestamp
from app.qt.train_process import TrainProcess
from model.eval.estimate import estimate_line


class TrainController(QObject):
    """Connects the Collect panel's `TrainBox` to a `TrainProcess` and to the window's model.

    Args:
        window: the `MainWindow` (its collect panel, outputs folder, model info and `load_model`).
        process: the runner (default: a `TrainProcess` of this interpreter).
    """

    def __init__(self, window, process: TrainProcess | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.panel = window.collect_panel
        self.box = self.panel.train_box
        self.process = process or TrainProcess(parent=self)
        self.box.train_requested.connect(self.start)
        self.box.cancel_requested.connect(self.process.cancel)
        self.box.use_requested.connect(self._on_use_requested)
        self.process.progressed.connect(self.box.set_progress)
        self.process.trained.connect(self._on_trained)
        self.process.failed.connect(self._on_failed)
        self.process.cancelled.connect(self._on_cancelled)
        window.bridge.model_loaded.connect(self._on_model_loaded, Qt.ConnectionType.QueuedConnection)

    @property
    def models_dir(self) -> Path:
        """Where new bundles go: `models/` in the window's output folder."""
        return Path(self.window.outputs.output_dir) / "models"

    def start(self) -> bool:
        """Trains on the dataset folder from the running model; False (and a line) when it cannot."""
        if self.process.running:
            return False
        info = self.window.model_info or {}
        if not info.get("path"):
            self.box.set_message("Load a model first: training starts from the model that is running.")
            return False
        dataset = self.panel.dataset_dir
        with_clips = [s.label for s in survey(dataset) if s.clips]
        if len(with_clips) < 2:
            self.box.set_message(f"Record clips of at least 2 classes first (a “nothing” class counts). "
                                 f"Found: {', '.join(with_clips) or 'none'} in {dataset}.")
            return False
        out = self.models_dir / f"{dataset.name}-{timestamp()}"
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.process.start(info["path"], dataset, out)
        self.box.set_started()
        self.window.statusBar().showMessage(f"Training {', '.join(with_clips)} in the background…", 6000)
        return True

    def close(self) -> None:
        """Window closing: a running training is ended at once (its folder is removed)."""
        if self.process.running:
            self.process.kill_now()

    def _on_trained(self, event: dict) -> None:
        counts = ", ".join(f"{label} {n}" for label, n in event.get("counts", {}).items())
        # The estimate holds out the user's own clips: same people, room and light, so it flatters.
        lines = [f"Estimated accuracy on a new clip: {estimate_line(event.get('estimate'))} "
                 "(on your own clips: expect less for other people or rooms).",
                 f"Clips per class: {counts}.",
                 f"Trained in {event.get('seconds', 0):g} s; saved in {event['bundle']}."]
        lines += event.get("warnings", [])
        self.box.set_trained("\n".join(lines), event["bundle"])
        self.window.statusBar().showMessage("New model ready: “Use the new model” switches to it.", 10000)

    def _on_failed(self, line: str) -> None:
        text = f"Training failed: {line.rstrip('.')}. The current model keeps running."
        print(f"actionlens: {text}", file=sys.stderr)
        self.box.set_stopped(text)

    def _on_cancelled(self) -> None:
        self.box.set_stopped("Training cancelled; the current model keeps running.")

    def _on_use_requested(self, bundle: str) -> None:
        self.box.set_used()
        self.window.load_model(bundle)

    def _on_model_loaded(self, info: dict) -> None:
        frames, fps = info.get("frames"), info.get("fps")
        self.panel.set_model_window(frames / fps if frames and fps else None)
