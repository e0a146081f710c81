"""Collect your own clips: type a label, record N seconds into `dataset/<label>/`."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.outputs.clip_dataset import count_clips


class CollectPanel(QWidget):
    """The controls for clip collection; the main window does the recording."""

    clip_requested = pyqtSignal(str, float)  # label as typed, seconds
    dataset_dir_chosen = pyqtSignal(str)  # dataset root folder

    def __init__(self, dataset_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dataset_dir = Path(dataset_dir)
        self.label_edit = QLineEdit(placeholderText="e.g. wave")
        self.seconds_spin = QDoubleSpinBox(minimum=0.5, maximum=60.0, value=3.0, suffix=" s")
        self.seconds_spin.setSingleStep(0.5)
        self.folder_edit = QLineEdit(str(self._dataset_dir), readOnly=True)
        self.folder_button = QPushButton("Choose…")
        self.record_button = QPushButton("Record clip")
        self.state_label = QLabel("")
        self.state_label.setWordWrap(True)
        self.counts_list = QListWidget()
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        form = QFormLayout()
        form.addRow("Label", self.label_edit)
        form.addRow("Length", self.seconds_spin)
        form.addRow("Dataset", folder_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.record_button)
        layout.addWidget(self.state_label)
        layout.addWidget(QLabel("Clips per label:"))
        layout.addWidget(self.counts_list, 1)
        self.record_button.clicked.connect(self._on_record_clicked)
        self.label_edit.returnPressed.connect(self._on_record_clicked)
        self.folder_button.clicked.connect(self._on_choose_folder)
        self.refresh_counts()

    @property
    def dataset_dir(self) -> Path:
        """The dataset root clips are recorded into."""
        return self._dataset_dir

    @property
    def counts(self) -> dict[str, int]:
        """Clips per label as shown."""
        return count_clips(self._dataset_dir)

    def set_dataset_dir(self, folder: str | Path) -> None:
        """Records into `folder` from now on and shows its counts."""
        self._dataset_dir = Path(folder)
        self.folder_edit.setText(str(self._dataset_dir))
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
        """Re-reads the clips per label from the dataset folder."""
        self.counts_list.clear()
        for label, n in count_clips(self._dataset_dir).items():
            self.counts_list.addItem(f"{label}: {n} clip{'s' if n != 1 else ''}")

    def _on_record_clicked(self) -> None:
        if self.record_button.isEnabled():
            self.clip_requested.emit(self.label_edit.text(), self.seconds_spin.value())

    def _on_choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the dataset folder", str(self._dataset_dir))
        if folder:
            self.set_dataset_dir(folder)
            self.dataset_dir_chosen.emit(folder)
