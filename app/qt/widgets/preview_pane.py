"""The next-frame predictor's picture beside the actual frame, and its surprise."""

from __future__ import annotations

import cv2
import numpy as np
from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PyQt6.QtWidgets import QWidget

from app.frames import Frame
from app.qt.image_convert import to_qimage
from app.results import Result, surprise_text
from model.preprocess import to_display

# A prediction made more than this many frames before the frame on screen is not shown.
_MAX_PREDICTION_AGE = 4
# Surprise is an MSE in [0, 1]; typical values are far below 0.05, so the meter tops out there.
_SURPRISE_FULL = 0.05


class PreviewPane(QWidget):
    """Two small pictures, "now" and "predicted next", and a surprise meter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now: QImage | None = None
        self._pred: QImage | None = None
        self._pred_index: int | None = None
        self._pred_bgr: np.ndarray | None = None
        self._surprise: float | None = None
        self._message = "next-frame preview appears once the model is loaded"
        self.setMinimumHeight(120)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(260, 150)

    def set_message(self, text: str) -> None:
        """What to say while there is no prediction (e.g. the model has no predictor)."""
        self._message = text
        self.update()

    def clear(self) -> None:
        """Forgets the prediction (a new source or a seek)."""
        self._now = self._pred = self._pred_bgr = None
        self._pred_index = self._surprise = None
        self.update()

    @property
    def prediction(self):
        """The prediction on screen as uint8 BGR (h, w, 3), or None."""
        return self._pred_bgr

    @property
    def surprise(self) -> float | None:
        """The latest surprise score shown, or None."""
        return self._surprise

    def show_frame(self, frame: Frame, result: Result | None) -> None:
        """Updates from the frame on screen and its result (which may carry a new prediction)."""
        if result is not None and result.predicted_frame is not None:
            self._pred_bgr = to_display(result.predicted_frame)
            self._pred_index = frame.index
            self._pred = to_qimage(self._pred_bgr)
        if result is not None and result.surprise is not None:
            self._surprise = float(result.surprise)
        if self._pred_index is not None and not 0 <= frame.index - self._pred_index <= _MAX_PREDICTION_AGE:
            self._pred = self._pred_bgr = self._pred_index = None  # left behind by a seek
        if self._pred_bgr is not None:
            self._now = to_qimage(_like(frame.image, self._pred_bgr))
        else:
            self._now = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        text_color = self.palette().windowText().color()
        meter_h = 18
        if self._pred is None:
            painter.setPen(text_color)
            painter.drawText(QRectF(self.rect()).adjusted(4, 0, -4, -meter_h),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
        else:
            side = min((self.width() - 12) / 2, self.height() - meter_h - 20)
            for i, (img, caption) in enumerate(((self._now, "now"), (self._pred, "predicted next"))):
                box = QRectF(4 + i * (side + 4), 16, side, side)
                painter.setPen(text_color)
                painter.drawText(QRectF(box.left(), 0, side, 16), Qt.AlignmentFlag.AlignCenter, caption)
                if img is not None:
                    painter.drawImage(box, img)
        self._draw_meter(painter, QRectF(4, self.height() - meter_h, self.width() - 8, meter_h - 2), text_color)
        painter.end()

    def _draw_meter(self, painter: QPainter, rect: QRectF, text_color: QColor) -> None:
        label_w = 120.0
        painter.setPen(text_color)
        value = f"surprise {surprise_text(self._surprise)}"
        painter.drawText(QRectF(rect.left(), rect.top(), label_w, rect.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, value)
        track = QRectF(rect.left() + label_w, rect.top() + 4, rect.width() - label_w, rect.height() - 8)
        painter.fillRect(track, QColor(128, 128, 128, 50))
        if self._surprise is not None:
            level = min(1.0, self._surprise / _SURPRISE_FULL)
            # Green when the future looked as expected, red when it did not.
            color = QColor.fromHsvF(0.33 * (1.0 - level), 0.8, 0.85)
            painter.fillRect(QRectF(track.left(), track.top(), track.width() * level, track.height()), color)


def _like(image: np.ndarray, reference_bgr: np.ndarray) -> np.ndarray:
    """`image` as BGR, at the reference's size, gray if the reference is gray."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    h, w = reference_bgr.shape[:2]
    img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    ref = reference_bgr
    if np.array_equal(ref[:, :, 0], ref[:, :, 1]) and np.array_equal(ref[:, :, 1], ref[:, :, 2]):
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    return img

