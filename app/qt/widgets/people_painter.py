"""Everyone in view, painted over the picture: a box, a skeleton and a tag per person.

Each person has the colour of their id (`app.outputs.skeleton.person_colour`, the same
as `run --out` draws); the selected person's box is drawn thicker. A click on the
picture selects the person whose box holds it (`person_at`).
"""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPen

from app.outputs.skeleton import BODY_BONES, FACE_POINTS, MIN_VISIBILITY, person_colour
from app.results import with_count


def id_colour(person_id: int | None) -> QColor:
    """The Qt colour of a person id; the one-person colour for None."""
    if person_id is None:
        return QColor(80, 230, 80)
    b, g, r = person_colour(person_id)
    return QColor(r, g, b)


def paint_pose(painter: QPainter, target: QRectF, scale: tuple[float, float], pose, colour: QColor,
               box_colour: QColor, box_width: int = 2) -> None:
    """Paints one pose's bones, face points and box; `scale` is (sx, sy) widget px per image px."""
    sx, sy = scale
    pts = [QPointF(target.x() + x * sx, target.y() + y * sy) for x, y, _ in pose.image]
    seen = pose.visibility >= MIN_VISIBILITY
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, 3))
    for a, b in BODY_BONES:
        if seen[a] and seen[b]:
            painter.drawLine(pts[a], pts[b])
    # The face as points: lines between eyes and ears read as a zigzag, not as a head.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255))
    for k in FACE_POINTS:
        if seen[k]:
            painter.drawEllipse(pts[k], 2.5, 2.5)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(box_colour, box_width))
    painter.drawRect(box_rect(target, scale, pose.box()))


def paint_people(painter: QPainter, target: QRectF, scale: tuple[float, float], people,
                 selected: int | None, name) -> None:
    """Paints every `PersonResult` with its tag "#id label ×8 93%" ("deciding…" before a label).

    Args:
        name: the label as the user reads it (`Result.shown_name`).
    """
    font = QFont(painter.font())
    font.setPixelSize(13)
    font.setBold(True)
    painter.setFont(font)
    for person in people:
        colour = id_colour(person.id)
        paint_pose(painter, target, scale, person.pose, colour, colour, 4 if person.id == selected else 2)
        shown = with_count(name(person.label), person.count) or "deciding…"
        tag = f"#{person.id} {shown}" + (f" {person.confidence:.0%}" if person.label else "")
        rect = box_rect(target, scale, person.box)
        width = painter.fontMetrics().horizontalAdvance(tag) + 8
        # Moved in from the picture's right edge rather than cut there ("jumping_jack ×12 10").
        left = max(target.x(), min(rect.x(), target.right() - width))
        band = QRectF(left, max(target.y(), rect.y() - 18), width, 18)
        painter.fillRect(band, colour)
        painter.setPen(QColor(0, 0, 0))
        painter.drawText(band, Qt.AlignmentFlag.AlignCenter, tag)


def box_rect(target: QRectF, scale: tuple[float, float], box) -> QRectF:
    """An image-pixel box (x0, y0, x1, y1) as a widget rectangle."""
    sx, sy = scale
    x0, y0, x1, y1 = box
    return QRectF(target.x() + x0 * sx, target.y() + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy)


def person_at(target: QRectF, scale: tuple[float, float], people, point: QPointF) -> int | None:
    """The id of the smallest person whose box holds `point` (a widget point), or None."""
    hits = [p for p in people if box_rect(target, scale, p.box).contains(point)]
    if not hits:
        return None
    return min(hits, key=lambda p: (p.box[2] - p.box[0]) * (p.box[3] - p.box[1])).id


def people_text(result) -> str:
    """"2 people in view" for the status line, or "" when one person is followed."""
    if result is None or result.people is None:
        return ""
    n = len(result.people)
    return "nobody in view" if n == 0 else f"{n} {'person' if n == 1 else 'people'} in view"
