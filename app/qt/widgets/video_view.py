"""The video, scaled with its aspect ratio kept, with the current action drawn over it."""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from app.frames import Frame
from app.outputs.headline import Headline, headline
from app.outputs.skeleton import MIN_VISIBILITY
from app.qt.image_convert import to_qimage
from app.qt.widgets.colors import QUIET, class_color
from app.results import Result
from model.pose.skeleton import BONES


class VideoView(QWidget):
    """Shows one frame and the label for exactly that frame.

    Call `show_frame` with a frame and its own result; the label is never kept
    from an earlier frame, so after a seek the screen cannot show a stale label.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._image: QImage | None = None
        self._frame: Frame | None = None
        self._result: Result | None = None
        self._labels: tuple[str, ...] = ()
        self._idle_label = "idle"
        self._state = ""
        self._notice = ""
        self.show_skeleton = True
        self.paint_count = 0

    # -- model side ---------------------------------------------------------------------

    def set_labels(self, labels: tuple[str, ...], idle_label: str = "idle") -> None:
        """Class names (for colours) and the idle class (drawn muted)."""
        self._labels = tuple(labels)
        self._idle_label = idle_label
        self.update()

    def set_state(self, text: str) -> None:
        """What to say while there is no result, e.g. "loading model…"."""
        self._state = text
        self.update()

    def set_notice(self, text: str) -> None:
        """A small line at the bottom, e.g. that the demo clip is playing."""
        self._notice = text
        self.update()

    def set_show_skeleton(self, on: bool) -> None:
        """Draw (or not) the person's skeleton and box that pose models' results carry."""
        self.show_skeleton = bool(on)
        self.update()

    def show_frame(self, frame: Frame, result: Result | None) -> None:
        """Shows `frame` with `result`, which must be the result for that frame (or None)."""
        self._image = to_qimage(frame.image)
        self._frame = frame
        self._result = result
        self.update()

    def clear(self) -> None:
        """Forgets the frame on screen (a new source is opening)."""
        self._image, self._frame, self._result = None, None, None
        self.update()

    @property
    def shown_index(self) -> int | None:
        """Index of the frame on screen, or None."""
        return None if self._frame is None else self._frame.index

    @property
    def shown_frame(self) -> Frame | None:
        """The frame on screen, or None."""
        return self._frame

    @property
    def shown_result(self) -> Result | None:
        """The result for the frame on screen, or None."""
        return self._result

    @property
    def headline(self) -> Headline:
        """The label as drawn now."""
        return headline(self._result, self._state, self._idle_label)

    # -- drawing ------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        """Where the frame is drawn: the largest rectangle of its aspect that fits."""
        if self._image is None or self._image.isNull():
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#101010"))
        target = self.image_rect()
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
        if self.show_skeleton and self._result is not None and self._result.pose is not None:
            self._draw_skeleton(painter, target, self._result.pose)
        self._draw_headline(painter, target)
        if self._notice:
            self._draw_notice(painter)
        painter.end()
        self.paint_count += 1

    def _draw_skeleton(self, painter: QPainter, target: QRectF, pose) -> None:
        sx = target.width() / max(1, self._image.width())
        sy = target.height() / max(1, self._image.height())
        pts = [QPointF(target.x() + x * sx, target.y() + y * sy) for x, y, _ in pose.image]
        seen = pose.visibility >= MIN_VISIBILITY
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(80, 230, 80), 3))
        for a, b in BONES:
            if seen[a] and seen[b]:
                painter.drawLine(pts[a], pts[b])
        painter.setPen(QPen(QColor(60, 160, 230), 2))
        x0, y0, x1, y1 = pose.box()
        painter.drawRect(QRectF(target.x() + x0 * sx, target.y() + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy))

    def _draw_headline(self, painter: QPainter, target: QRectF) -> None:
        head = self.headline
        # Readable from across a room: about a tenth of the picture's height.
        size = max(16, int(min(target.height() / 10, target.width() / 12)))
        big, small = QFont(), QFont()
        big.setPixelSize(size)
        big.setBold(True)
        small.setPixelSize(max(11, size // 2))
        pad = size // 3
        color = QColor(QUIET) if head.quiet else class_color(self._labels, head.label, self._idle_label)
        painter.setFont(big)
        text_w = painter.fontMetrics().horizontalAdvance(head.text)
        painter.setFont(small)
        detail_w = painter.fontMetrics().horizontalAdvance(head.detail)
        box = QRectF(target.left() + pad, target.top() + pad,
                     max(text_w, detail_w) + 2 * pad, size + small.pixelSize() + 2 * pad)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 160))
        painter.drawRoundedRect(box, pad / 2, pad / 2)
        if not head.quiet:
            # A confidence bar along the box's bottom edge, in the class colour.
            bar = QRectF(box.left(), box.bottom() - 4, box.width() * head.confidence, 4)
            painter.setBrush(color)
            painter.drawRect(bar)
        painter.setPen(color)
        painter.setFont(big)
        painter.drawText(QRectF(box.left() + pad, box.top() + pad / 2, text_w + pad, size * 1.3),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, head.text)
        painter.setPen(QColor("#e0e0e0"))
        painter.setFont(small)
        painter.drawText(QRectF(box.left() + pad, box.top() + pad / 2 + size * 1.2,
                                detail_w + pad, small.pixelSize() * 1.4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, head.detail)

    def _draw_notice(self, painter: QPainter) -> None:
        font = QFont()
        font.setPixelSize(13)
        painter.setFont(font)
        h = 24
        band = QRectF(0, self.height() - h, self.width(), h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(30, 30, 30, 200))
        painter.drawRect(band)
        painter.setPen(QColor("#ffd27f"))
        painter.drawText(band.adjusted(8, 0, -8, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._notice)
