"""The Train part of the Collect panel: Train, Cancel, a progress bar, the result and "Use it"."""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# What each stage of `actionlens train --from` is called on screen.
STAGES = {"loading": "Reading clips", "embedding": "Embedding clips", "estimating": "Estimating accuracy",
          "training": "Training"}


class TrainBox(QGroupBox):
    """Buttons and state of one training run; `TrainController` drives it."""

    train_requested = pyqtSignal()  # none: train on the dataset folder from the loaded model
    cancel_requested = pyqtSignal()  # none: stop the running training
    use_requested = pyqtSignal(str)  # the new bundle's folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Teach the model your clips", parent)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Train new classes from the clips in the dataset folder, "
                                     "starting from the loaded model; the video keeps playing.")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setValue(0)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.use_button = QPushButton("Use the new model")
        self.use_button.setVisible(False)
        self._bundle = ""
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addWidget(self.use_button)
        self.train_button.clicked.connect(self.train_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.use_button.clicked.connect(self._on_use_clicked)

    @property
    def bundle(self) -> str:
        """The folder of the last bundle trained, or ""."""
        return self._bundle

    def set_started(self) -> None:
        """A run began: Train off, Cancel on, an empty bar."""
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.use_button.setVisible(False)
        self.progress.setRange(0, 0)  # busy until the child says how far it is
        self.progress.setFormat("Starting…")
        self.result_label.setText("")

    def set_progress(self, stage: str, done: int, total: int, detail: str = "") -> None:
        """Shows how far the current stage is, e.g. "Training 12/20"."""
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        name = STAGES.get(stage, stage)
        self.progress.setFormat(f"{name} {done}/{total}" + (f" ({detail})" if stage == "training" and detail else ""))

    def set_trained(self, text: str, bundle: str) -> None:
        """A run ended well: what it reached, and the button that switches to it."""
        self._end()
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat("Done")
        self._bundle = bundle
        self.result_label.setText(text)
        self.use_button.setVisible(True)
        self.use_button.setEnabled(True)

    def set_stopped(self, line: str) -> None:
        """A run failed or was cancelled: `line` says why."""
        self._end()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.result_label.setText(line)

    def set_message(self, line: str) -> None:
        """A line under the buttons that is not the result of a run (e.g. why Train did nothing)."""
        self.result_label.setText(line)

    def set_used(self) -> None:
        """The new model was asked for; the button has done its job."""
        self.use_button.setEnabled(False)

    def _end(self) -> None:
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_use_clicked(self) -> None:
        if self._bundle:
            self.use_requested.emit(self._bundle)
