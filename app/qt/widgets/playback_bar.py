"""Play/pause, frame step, seek slider with time, speed and loop, for files."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractSlider,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

from app.capture.sources import SourceInfo

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


def format_time(seconds: float) -> str:
    """`m:ss.s` for a source time in seconds."""
    seconds = max(0.0, seconds)
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class PlaybackBar(QWidget):
    """Transport controls; emits requests, and shows the position it is told.

    Seeking, stepping, speed and loop only apply to files; for cameras and
    streams only play/pause stays enabled.
    """

    play_toggled = pyqtSignal()  # none: the user asked to play or pause
    seek_requested = pyqtSignal(int)  # frame index
    step_requested = pyqtSignal(int)  # -1 or +1
    speed_changed = pyqtSignal(float)  # playback speed factor
    loop_changed = pyqtSignal(bool)  # loop at end of file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fps = 30.0
        self._count = 0
        self.play_button = QPushButton("Pause")
        self.back_button = QPushButton("◀|")
        self.forward_button = QPushButton("|▶")
        self.back_button.setToolTip("Step back one frame (Left)")
        self.forward_button.setToolTip("Step forward one frame (Right)")
        self.play_button.setToolTip("Play / pause (Space)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.time_label = QLabel("0:00.0 / 0:00.0")
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.loop_box = QCheckBox("Loop")
        for widget in (self.play_button, self.back_button, self.forward_button, self.speed_box, self.loop_box):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the window's shortcuts
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.play_button, self.back_button, self.forward_button):
            layout.addWidget(widget)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time_label)
        layout.addWidget(self.speed_box)
        layout.addWidget(self.loop_box)
        self.play_button.clicked.connect(self.play_toggled)
        self.back_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.forward_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.slider.sliderMoved.connect(self._on_slider_moved)
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.speed_changed.emit(float(self.speed_box.itemData(i))))
        self.loop_box.toggled.connect(self.loop_changed)
        self.set_source(None)

    @property
    def speed(self) -> float:
        """The chosen speed factor (1.0 = the file's own fps)."""
        return float(self.speed_box.currentData())

    @property
    def loop(self) -> bool:
        """Whether files restart at their end."""
        return self.loop_box.isChecked()

    def set_source(self, info: SourceInfo | None) -> None:
        """Adapts the controls to a source: seekable files, or live cameras and streams."""
        seekable = info is not None and info.kind == "file" and bool(info.frame_count)
        self._fps = info.fps if info is not None and info.fps > 0 else 30.0
        self._count = int(info.frame_count or 0) if seekable else 0
        for widget in (self.back_button, self.forward_button, self.slider, self.speed_box, self.loop_box):
            widget.setEnabled(seekable)
        self.play_button.setEnabled(info is not None)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, self._count - 1))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self._show_time(0)

    def set_paused(self, paused: bool) -> None:
        """Shows the play/pause state the engine is in."""
        self.play_button.setText("Play" if paused else "Pause")
        self.play_button.setToolTip("Play / pause (Space)")

    def set_ended(self) -> None:
        """Shows that the file has ended: the button plays it again (until `set_paused`)."""
        self.play_button.setText("Replay")
        self.play_button.setToolTip("End of file: play it again from the start (Space)")
        if self._count:
            self.time_label.setText(f"end / {format_time(self._count / self._fps)}")

    def set_position(self, index: int, seconds: float | None = None) -> None:
        """Moves the slider to the frame on screen, unless the user is dragging it.

        Args:
            index: the frame's index in its source.
            seconds: a live frame's time since the source opened; None: index / fps
                (a camera's or stream's reported fps is no clock: an MJPEG stream says 25).
        """
        if self.slider.isSliderDown():
            return
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self._show_time(index, seconds)

    def _show_time(self, index: int, seconds: float | None = None) -> None:
        total = format_time(self._count / self._fps) if self._count else "live"
        now = index / self._fps if seconds is None else seconds
        self.time_label.setText(f"{format_time(now)} / {total}")

    def _on_slider_moved(self, value: int) -> None:
        self._show_time(value)

    def _on_slider_released(self) -> None:
        self.seek_requested.emit(self.slider.value())

    def _on_slider_action(self, action: int) -> None:
        # Drags seek once, on release; clicks on the groove and keys seek at once.
        if action != QAbstractSlider.SliderAction.SliderMove.value and not self.slider.isSliderDown():
            self.seek_requested.emit(self.slider.sliderPosition())
