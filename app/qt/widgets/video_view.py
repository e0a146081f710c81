"""The video, scaled with its aspect ratio kept, with the current action in a band above it.

The headline has its own band at the top of the view and the notice its own at the
bottom; the picture fits in between. Nothing but the person's skeleton and box is
drawn over the picture, so a raised hand or a head is never behind the label.
"""

from __future__ import annotations

from PyQt6.QtCore import QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PyQt6.QtWidgets import QSizePolicy, QWidget

from app.frames import Frame
from app.outputs.headline import Headline, headline
from app.qt.image_convert import to_qimage
from app.qt.widgets.colors import QUIET, class_color
from app.qt.widgets.people_painter import paint_people, paint_pose, person_at
from app.results import Result

# The notice band's height, pixels.
_NOTICE_H = 24


class VideoView(QWidget):
    """Shows one frame and the label for exactly that frame.

    Call `show_frame` with a frame and its own result; the label is never kept
    from an earlier frame, so after a seek the screen cannot show a stale label.
    With several people, each is painted with their own tag, and a click on one
    emits `person_clicked`.
    """

    person_clicked = pyqtSignal(int)  # person id; 0: the click was on nobody

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

    @property
    def notice(self) -> str:
        """The line in the band at the bottom, or ""."""
        return self._notice

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

    def headline_size(self) -> int:
        """Pixel size of the headline's large font (the small line is half of it)."""
        # Readable from across a room, yet a band that leaves most of the view to the picture.
        return max(16, min(40, int(self.height() / 14)))

    def headline_rect(self) -> QRectF:
        """The band at the top of the view that holds the headline, above the picture."""
        size = self.headline_size()
        return QRectF(0, 0, self.width(), size + max(11, size // 2) + 2 * (size // 3))

    def image_rect(self) -> QRectF:
        """Where the frame is drawn: the largest rectangle of its aspect that fits between the bands."""
        top = self.headline_rect().bottom()
        bottom = self.height() - (_NOTICE_H if self._notice else 0)
        area = QRectF(0, top, self.width(), max(1.0, bottom - top))
        if self._image is None or self._image.isNull():
            return area
        iw, ih = self._image.width(), self._image.height()
        scale = min(area.width() / iw, area.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, top + (area.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#101010"))
        target = self.image_rect()
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
        result = self._result
        if self.show_skeleton and result is not None and (result.pose is not None or result.people):
            painter.save()
            painter.setClipRect(target)  # a point BlazePose places past the edge stays off the letterbox
            if result.people is not None:
                paint_people(painter, target, self._scale(target), result.people, result.person_id,
                             result.shown_name)
            else:
                paint_pose(painter, target, self._scale(target), result.pose, QColor(80, 230, 80),
                           QColor(60, 160, 230))
            painter.restore()
        self._draw_headline(painter)
        if self._notice:
            self._draw_notice(painter)
        painter.end()
        self.paint_count += 1

    def _scale(self, target: QRectF) -> tuple[float, float]:
        return (target.width() / max(1, self._image.width()), target.height() / max(1, self._image.height()))

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A click on a person selects them (several people); elsewhere it goes back to the largest."""
        result = self._result
        if result is None or result.people is None or self._image is None:
            return super().mousePressEvent(event)
        target = self.image_rect()
        self.person_clicked.emit(person_at(target, self._scale(target), result.people, event.position()) or 0)

    def _draw_headline(self, painter: QPainter) -> None:
        head = self.headline
        band = self.headline_rect()
        size = self.headline_size()
        pad = size // 3
        big, small = QFont(), QFont()
        big.setPixelSize(size)
        big.setBold(True)
        small.setPixelSize(max(11, size // 2))
        painter.setFont(big)
        # Shrunk to fit the view's width rather than cut ("no model: see the messag").
        room = band.width() - 2 * pad
        while size > 12 and painter.fontMetrics().horizontalAdvance(head.text) > room:
            size -= 2
            big.setPixelSize(size)
            painter.setFont(big)
        color = QColor(QUIET) if head.quiet else class_color(self._labels, head.label, self._idle_label)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(24, 24, 24))
        painter.drawRect(band)
        if not head.quiet:
            # A confidence bar along the band's bottom edge, in the class colour.
            painter.setBrush(color)
            painter.drawRect(QRectF(band.left(), band.bottom() - 4, band.width() * head.confidence, 4))
        painter.setPen(color)
        text_w = painter.fontMetrics().horizontalAdvance(head.text)
        line = QRectF(band.left() + pad, band.top(), room, band.height())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, head.text)
        # The detail beside the headline when it fits, else under it; elided, never cut mid-glyph.
        painter.setFont(small)
        metrics = painter.fontMetrics()
        beside = room - text_w - 2 * pad
        if beside >= metrics.horizontalAdvance(head.detail) or beside >= room // 2:
            rect = QRectF(line.left() + text_w + 2 * pad, band.top(), beside, band.height())
        else:
            rect = QRectF(line.left(), band.bottom() - small.pixelSize() * 1.4 - 4, room, small.pixelSize() * 1.4)
        painter.setPen(QColor("#e0e0e0"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(head.detail, Qt.TextElideMode.ElideRight, int(rect.width())))

    def _draw_notice(self, painter: QPainter) -> None:
        font = QFont()
        font.setPixelSize(13)
        painter.setFont(font)
        band = QRectF(0, self.height() - _NOTICE_H, self.width(), _NOTICE_H)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(30, 30, 30, 200))
        painter.drawRect(band)
        painter.setPen(QColor("#ffd27f"))
        painter.drawText(band.adjusted(8, 0, -8, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._notice)
