"""Top-k class probabilities as horizontal bars."""

from __future__ import annotations

from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QPainter, QPaintEvent
from PyQt6.QtWidgets import QWidget

from app.qt.widgets.colors import class_color
from app.results import NO_PERSON, Result

_ROW_H = 22


class ProbBars(QWidget):
    """Draws the k most probable classes of the result on screen, best first.

    Args:
        k: how many classes to show.
        parent: the parent widget.
    """

    def __init__(self, k: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._k = k
        self._rows: list[tuple[str, float]] = []
        self._labels: tuple[str, ...] = ()
        self._idle_label = "idle"
        self.setMinimumHeight(_ROW_H * k + 6)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(240, _ROW_H * self._k + 6)

    def set_labels(self, labels: tuple[str, ...], idle_label: str = "idle") -> None:
        """Class names in model order (for the colours)."""
        self._labels = tuple(labels)
        self._idle_label = idle_label
        self.update()

    def set_result(self, result: Result | None) -> None:
        """Shows the top k of `result.probs`, the background class named "unknown".

        None, or nobody in view, empties the bars: three 0% bars under "no person" would
        read as a verdict on nothing.
        """
        self._rows = [] if result is None or result.label == NO_PERSON else result.shown_top_k(self._k)
        self.update()

    @property
    def rows(self) -> list[tuple[str, float]]:
        """(label, probability) pairs on screen, best first."""
        return list(self._rows)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        name_w = min(140, self.width() // 3)
        pct_w = 44
        for row, (label, p) in enumerate(self._rows):
            y = 3 + row * _ROW_H
            painter.setPen(self.palette().windowText().color())
            painter.drawText(QRectF(0, y, name_w - 6, _ROW_H),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            track = QRectF(name_w, y + 4, max(0, self.width() - name_w - pct_w), _ROW_H - 8)
            painter.fillRect(track, QColor(128, 128, 128, 50))
            painter.fillRect(QRectF(track.left(), track.top(), track.width() * max(0.0, min(1.0, p)),
                                    track.height()), class_color(self._labels, label, self._idle_label))
            painter.drawText(QRectF(track.right() + 4, y, pct_w - 4, _ROW_H),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{p:.0%}")
        painter.end()
