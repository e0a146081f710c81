"""Choosing what to watch: a camera, a file (dialog, recent list), a stream URL or the demo."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class SourcePanel(QWidget):
    """Source pickers; emits what the user chose, the main window opens it."""

    source_requested = pyqtSignal(object)  # int camera index, or str path / URL
    open_file_requested = pyqtSignal()  # show the file dialog
    rescan_requested = pyqtSignal()  # probe cameras again
    demo_requested = pyqtSignal()  # play the bundled demo clip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current_label = QLabel("no source")
        self.current_label.setWordWrap(True)
        self.camera_box = QComboBox()
        self.camera_button = QPushButton("Open")
        self.rescan_button = QPushButton("Rescan")
        self.file_button = QPushButton("Open file…")
        self.recent_box = QComboBox()
        self.url_edit = QLineEdit(placeholderText="rtsp://… or http(s)://…")
        self.url_button = QPushButton("Open")
        self.demo_button = QPushButton("Play demo clip")
        cam_row = QHBoxLayout()
        cam_row.addWidget(self.camera_box, 1)
        cam_row.addWidget(self.camera_button)
        cam_row.addWidget(self.rescan_button)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.url_button)
        form = QFormLayout()
        form.addRow("Playing", self.current_label)
        form.addRow("Camera", cam_row)
        form.addRow("File", self.file_button)
        form.addRow("Recent", self.recent_box)
        form.addRow("Stream", url_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.demo_button)
        layout.addStretch(1)
        self.camera_button.clicked.connect(self._on_open_camera)
        self.rescan_button.clicked.connect(self.rescan_requested)
        self.file_button.clicked.connect(self.open_file_requested)
        self.recent_box.activated.connect(self._on_recent_activated)
        self.url_button.clicked.connect(self._on_open_url)
        self.url_edit.returnPressed.connect(self._on_open_url)
        self.demo_button.clicked.connect(self.demo_requested)
        self.set_cameras(None)
        self.set_recent([])

    def set_cameras(self, indices: list[int] | None) -> None:
        """Lists cameras found; None while probing."""
        self.camera_box.clear()
        if indices is None:
            self.camera_box.addItem("looking for cameras…")
        elif not indices:
            self.camera_box.addItem("no camera found")
        for i in indices or []:
            self.camera_box.addItem(f"camera {i}", i)
        self.camera_button.setEnabled(bool(indices))
        self.rescan_button.setEnabled(indices is not None)

    def set_recent(self, files: list[str]) -> None:
        """Lists recent files (full paths in the tooltips)."""
        self.recent_box.clear()
        self.recent_box.addItem("recent files…" if files else "no recent files", None)
        for path in files:
            self.recent_box.addItem(Path(path).name, path)
            self.recent_box.setItemData(self.recent_box.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        self.recent_box.setEnabled(bool(files))

    def set_current(self, text: str) -> None:
        """Says what is playing."""
        self.current_label.setText(text)

    def _on_open_camera(self) -> None:
        index = self.camera_box.currentData()
        if index is not None:
            self.source_requested.emit(int(index))

    def _on_recent_activated(self, row: int) -> None:
        path = self.recent_box.itemData(row)
        if path:
            self.source_requested.emit(str(path))
        self.recent_box.setCurrentIndex(0)

    def _on_open_url(self) -> None:
        url = self.url_edit.text().strip()
        if url:
            self.source_requested.emit(url)
