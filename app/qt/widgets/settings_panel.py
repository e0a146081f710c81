"""Live engine settings: window, stride, smoothing, thresholds, dwell, model folder."""

from __future__ import annotations

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.settings import EngineSettings, SmoothingSettings
from model.config import ModelConfig

# Coalesces a burst of spin-box clicks into one engine update.
_DEBOUNCE_MS = 150
MAX_STRIDE = 8


# Non-breaking hyphens: a wrapped label must not split the option as "--" / "loso".
_LOSO = "\u2011\u2011loso"


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _double(lo: float, hi: float, step: float, decimals: int = 2, suffix: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    return box


class SettingsPanel(QWidget):
    """Edits `EngineSettings`; every change is emitted (debounced) for `engine.update_settings`.

    Smoothing is shown as "strength" = 1 - ema: 0 follows the raw model, 0.95 is very calm.
    """

    settings_changed = pyqtSignal(object)  # EngineSettings
    model_dir_chosen = pyqtSignal(str)  # bundle folder

    def __init__(self, settings: EngineSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings or EngineSettings()
        self._labels: tuple[str, ...] = ()
        self._class_boxes: dict[str, QDoubleSpinBox] = {}
        self._curve: list[dict] = []  # the loaded model's held-out figures per threshold
        self._pooled: dict | None = None  # or, from an older bundle, only those at its own threshold
        self._model_threshold: float | None = None  # None until a model is loaded
        self._debounce = QTimer(self, singleShot=True, interval=_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_settings)

        self.model_path = QLineEdit(readOnly=True, placeholderText="no model loaded")
        self.model_button = QPushButton("Choose…")
        self.model_button.clicked.connect(self._on_choose_model)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_path, 1)
        model_row.addWidget(self.model_button)

        self.window_spin = QSpinBox(suffix=" frames")
        self.window_spin.setEnabled(False)  # its range comes with the model
        self.stride_spin = QSpinBox(minimum=1, maximum=MAX_STRIDE)
        self.smoothing_spin = _double(0.0, 0.95, 0.05)
        self.enter_spin = _double(0.0, 1.0, 0.05)
        # 0 stands for "the model's own threshold", calibrated on sources it never saw.
        self.enter_spin.setSpecialValueText("model")
        self.exit_spin = _double(0.0, 1.0, 0.05)
        self.dwell_spin = _double(0.0, 5.0, 0.1, 1, " s")
        self.window_spin.setToolTip("Frames per window the classifier sees")
        self.stride_spin.setToolTip("Run the classifier every n-th model step")
        self.smoothing_spin.setToolTip("0 follows the raw model; higher is calmer but slower")
        self.enter_spin.setToolTip("An action is named only at this smoothed probability; below it the "
                                   "label is 'unknown'. 'model' uses the model's calibrated threshold")
        self.exit_spin.setToolTip("The label is kept until its probability falls below this")
        self.dwell_spin.setToolTip("A new label must hold this long before it is shown")

        form = QFormLayout()
        form.addRow("Model", model_row)
        form.addRow("Window", self.window_spin)
        form.addRow("Stride", self.stride_spin)
        form.addRow("Smoothing", self.smoothing_spin)
        form.addRow("Unknown below", self.enter_spin)
        # What the threshold does on sources the model never saw, from its --loso folds.
        self.held_out_label = QLabel()
        self.held_out_label.setWordWrap(True)
        # A wrapped label in a form row can be given one line's height; three always fit.
        self.held_out_label.setMinimumHeight(3 * self.held_out_label.fontMetrics().lineSpacing())
        self.held_out_label.setToolTip(
            "From the model's leave-one-source-out folds: models trained without a whole dataset (its "
            "rooms, cameras and people) and tested on it. Named: clips of known actions given their own "
            "label. False alarms: windows of other motion given an action label."
        )
        form.addRow("", self.held_out_label)
        form.addRow("Exit <", self.exit_spin)
        form.addRow("Min dwell", self.dwell_spin)
        self.class_group = QGroupBox("Per-class enter threshold (0 = use Enter)")
        self._class_form = QFormLayout(self.class_group)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.class_group)
        layout.addStretch(1)

        self.set_settings(self._settings)
        for box in (self.window_spin, self.stride_spin, self.smoothing_spin, self.enter_spin,
                    self.exit_spin, self.dwell_spin):
            box.valueChanged.connect(self._on_value_changed)

    @property
    def settings(self) -> EngineSettings:
        """The settings as the panel shows them."""
        return self._settings

    def set_settings(self, settings: EngineSettings) -> None:
        """Shows `settings` without emitting `settings_changed`."""
        self._settings = settings
        s = settings.smoothing
        boxes = (self.window_spin, self.stride_spin, self.smoothing_spin, self.enter_spin,
                 self.exit_spin, self.dwell_spin, *self._class_boxes.values())
        for box in boxes:
            box.blockSignals(True)
        if settings.window is not None:
            self.window_spin.setValue(settings.window)
        self.stride_spin.setValue(settings.stride)
        self.smoothing_spin.setValue(1.0 - s.ema)
        self.enter_spin.setValue(0.0 if s.enter is None else s.enter)
        self.exit_spin.setMaximum(1.0 if s.enter is None else s.enter)
        self.exit_spin.setValue(s.exit)
        self.dwell_spin.setValue(s.min_dwell_s)
        for label, box in self._class_boxes.items():
            box.setValue(float(s.class_enter.get(label, 0.0)))
        for box in boxes:
            box.blockSignals(False)

    def set_model_info(self, info: dict) -> None:
        """Adapts the window range and the per-class rows to a loaded model."""
        self.model_path.setText(str(info.get("path", "")))
        self.model_path.setToolTip(str(info.get("summary", "")))
        lo, hi = int(info.get("min_frames", 1)), int(info.get("max_frames", 64))
        self.window_spin.blockSignals(True)
        self.window_spin.setRange(lo, hi)
        self.window_spin.setValue(self._settings.window or int(info.get("frames", lo)))
        self.window_spin.blockSignals(False)
        self.window_spin.setEnabled(True)
        self._set_labels(tuple(info.get("labels", ())))
        if "unknown_below" in info:
            self.enter_spin.setSpecialValueText(f"model ({float(info['unknown_below']):.2f})")
        self._model_threshold = float(info.get("unknown_below", ModelConfig.unknown_below))
        self._curve = list(info.get("held_out_curve") or ())
        self._pooled = info.get("held_out_pooled")
        self._show_held_out()
        if self._settings.window is not None and self._settings.window != self.window_spin.value():
            self._on_value_changed()  # the saved window did not fit this model: say what we use

    def _set_labels(self, labels: tuple[str, ...]) -> None:
        while self._class_form.rowCount():
            self._class_form.removeRow(0)
        self._class_boxes = {}
        self._labels = labels
        for label in labels:
            box = _double(0.0, 1.0, 0.05)
            box.setSpecialValueText("default")
            box.setValue(float(self._settings.smoothing.class_enter.get(label, 0.0)))
            box.valueChanged.connect(self._on_value_changed)
            self._class_boxes[label] = box
            self._class_form.addRow(label, box)

    def _read(self) -> EngineSettings:
        enter = self.enter_spin.value() or None  # 0: the model's threshold
        class_enter = {label: box.value() for label, box in self._class_boxes.items() if box.value() > 0}
        smoothing = SmoothingSettings(
            ema=max(0.05, 1.0 - self.smoothing_spin.value()),
            enter=enter,
            exit=self.exit_spin.value() if enter is None else min(self.exit_spin.value(), enter),
            min_dwell_s=self.dwell_spin.value(),
            class_enter=class_enter,
        )
        window = self.window_spin.value() if self.window_spin.isEnabled() else self._settings.window
        return self._settings.replace(window=window, stride=self.stride_spin.value(), smoothing=smoothing)

    def _on_value_changed(self, *_) -> None:
        # Hysteresis needs exit <= enter; the exit box follows the enter box down.
        self.exit_spin.setMaximum(self.enter_spin.value() or 1.0)
        self._show_held_out()
        self._debounce.start()

    def _show_held_out(self) -> None:
        if self._model_threshold is None:
            return  # no model yet: nothing to quote, and no reason to blame one
        if not self._curve:
            if self._pooled:
                self.held_out_label.setText(
                    f"Unseen sources at {self._model_threshold:.2f}: "
                    f"{_pct(self._pooled.get('known_clip_accuracy'))} of actions named, "
                    f"{_pct(self._pooled.get('false_alarm_rate'))} false alarms (other thresholds: retrain with {_LOSO})."
                )
            else:
                self.held_out_label.setText(f"No figures on unseen sources (train with {_LOSO}).")
            return
        wanted = self.enter_spin.value() or self._model_threshold
        point = min(self._curve, key=lambda p: abs(p["threshold"] - wanted))
        # Quoted at the measured threshold nearest the chosen one, and says which.
        self.held_out_label.setText(
            f"Unseen sources at {point['threshold']:.2f}: {_pct(point['known_clip_accuracy'])} of actions "
            f"named, {_pct(point['false_alarm_rate'])} false alarms."
        )

    def _emit_settings(self) -> None:
        self._settings = self._read()
        self.settings_changed.emit(self._settings)

    def _on_choose_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a model bundle folder", self.model_path.text())
        if folder:
            self.model_dir_chosen.emit(folder)
