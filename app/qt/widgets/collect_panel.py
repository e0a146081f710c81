"""Collect your own clips and teach the model them: type a label, count down, record N seconds
into `dataset/<label>/`, then Train."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.outputs.clip_dataset import LabelError, check_label
from app.outputs.clip_survey import LabelSurvey, advice, survey
from app.qt.widgets.train_box import TrainBox

# Three seconds: long enough to step back from the keyboard into view.
DEFAULT_COUNTDOWN_S = 3
WARNING_STYLE = "color: #c07000;"


class CollectPanel(QWidget):
    """The controls for clip collection and training; the window records, `TrainController` trains.

    Args:
        dataset_dir: the dataset root clips are recorded into.
        is_live: says whether the source is a camera or stream; the countdown runs only
            then (a file plays on regardless, so waiting would only miss the chosen moment).
            None counts every source as live.
    """

    clip_requested = pyqtSignal(str, float)  # label as typed, seconds (after the countdown)
    dataset_dir_chosen = pyqtSignal(str)  # dataset root folder

    def __init__(self, dataset_dir: Path, is_live: Callable[[], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dataset_dir = Path(dataset_dir)
        self._is_live = is_live or (lambda: True)
        self._window_s: float | None = None
        self._left = 0  # seconds of countdown left; 0 when none runs
        self._countdown = QTimer(self, interval=1000, timeout=self._on_countdown_tick)
        self.label_edit = QLineEdit(placeholderText="e.g. wave")
        self.seconds_spin = QDoubleSpinBox(minimum=0.5, maximum=60.0, value=3.0, suffix=" s")
        self.seconds_spin.setSingleStep(0.5)
        self.countdown_spin = QSpinBox(minimum=0, maximum=10, value=DEFAULT_COUNTDOWN_S, suffix=" s")
        self.countdown_spin.setToolTip("Time to get into position before each clip records (cameras and streams)")
        self.folder_edit = QLineEdit(str(self._dataset_dir), readOnly=True)
        self.folder_button = QPushButton("Choose…")
        self.record_button = QPushButton("Record clip")
        self.state_label = QLabel("")
        self.state_label.setWordWrap(True)
        self.warning_label = QLabel("")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.counts_list = QListWidget()
        self.train_box = TrainBox()
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        form = QFormLayout()
        form.addRow("Label", self.label_edit)
        form.addRow("Length", self.seconds_spin)
        form.addRow("Countdown", self.countdown_spin)
        form.addRow("Dataset", folder_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.record_button)
        layout.addWidget(self.state_label)
        layout.addWidget(QLabel("Clips per label:"))
        layout.addWidget(self.counts_list, 1)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.train_box)
        self.record_button.clicked.connect(self._on_record_clicked)
        self.label_edit.returnPressed.connect(self._on_record_clicked)
        self.folder_button.clicked.connect(self._on_choose_folder)
        self.seconds_spin.valueChanged.connect(lambda _v: self.refresh_counts())
        self.refresh_counts()

    @property
    def dataset_dir(self) -> Path:
        """The dataset root clips are recorded into."""
        return self._dataset_dir

    @property
    def counts(self) -> dict[str, int]:
        """Clips per label as shown."""
        return {s.label: s.clips for s in survey(self._dataset_dir)}

    @property
    def counting_down(self) -> bool:
        return self._left > 0

    def set_dataset_dir(self, folder: str | Path) -> None:
        """Records into `folder` from now on and shows its counts."""
        self._dataset_dir = Path(folder)
        self.folder_edit.setText(str(self._dataset_dir))
        self.refresh_counts()

    def set_model_window(self, seconds: float | None) -> None:
        """The loaded model's window length: clips shorter than it are flagged."""
        self._window_s = seconds
        self.refresh_counts()

    def set_recording(self, text: str | None) -> None:
        """Shows progress while a clip records (`text`), or re-enables the button (None)."""
        self.record_button.setEnabled(text is None)
        if text is not None:
            self.state_label.setText(text)

    def set_message(self, text: str) -> None:
        """Shows a one-line result, e.g. where the last clip was saved."""
        self.state_label.setText(text)

    def refresh_counts(self) -> None:
        """Re-reads the clips per label from the dataset folder, with what still needs recording."""
        labels = survey(self._dataset_dir, self._window_s)
        self.counts_list.clear()
        for s in labels:
            self.counts_list.addItem(_count_line(s))
        lines = advice(labels, self._window_s) if labels else []
        if self._window_s and self.seconds_spin.value() < self._window_s:
            lines.insert(0, f"Clips of {self.seconds_spin.value():g} s are shorter than one model window "
                            f"({self._window_s:.1f} s); make them longer.")
        self.warning_label.setText("\n".join(lines))
        self.warning_label.setVisible(bool(lines))

    def _on_record_clicked(self) -> None:
        if self.counting_down:
            self._stop_countdown("countdown cancelled")
            return
        if not self.record_button.isEnabled():
            return
        try:
            label = check_label(self.label_edit.text())
        except LabelError as err:
            self.state_label.setText(str(err))  # said now, not after the countdown
            return
        self._left = self.countdown_spin.value() if self._is_live() else 0
        if self._left == 0:
            self.clip_requested.emit(label, self.seconds_spin.value())
            return
        self.record_button.setText("Cancel countdown")
        self.state_label.setText(f"Recording “{label}” in {self._left}…")
        self._countdown.start()

    def _on_countdown_tick(self) -> None:
        self._left -= 1
        label = self.label_edit.text().strip()
        if self._left > 0:
            self.state_label.setText(f"Recording “{label}” in {self._left}…")
            return
        self._stop_countdown("")
        self.clip_requested.emit(label, self.seconds_spin.value())

    def _stop_countdown(self, text: str) -> None:
        self._countdown.stop()
        self._left = 0
        self.record_button.setText("Record clip")
        self.state_label.setText(text)

    def _on_choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the dataset folder", str(self._dataset_dir))
        if folder:
            self.set_dataset_dir(folder)
            self.dataset_dir_chosen.emit(folder)


def _count_line(s: LabelSurvey) -> str:
    line = f"{s.label}: {s.clips} clip{'s' if s.clips != 1 else ''}"
    return line + (f" ({s.short} too short)" if s.short else "")
