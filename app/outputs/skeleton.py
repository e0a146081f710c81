"""Draws the person's skeleton and box on a frame (OpenCV), for `run --out` and the window's snapshot.

`BODY_BONES` and `FACE_POINTS` are also what the window draws, so both show one figure:
the body as bones, the face as points only (BlazePose's eye and ear points joined by
lines read as a zigzag across the face, not as a head).
"""

from __future__ import annotations

import cv2
import numpy as np

from app.results import with_count
from model.pose.skeleton import BONES, LEFT_EAR, LEFT_EYE, NOSE, RIGHT_EAR, RIGHT_EYE

_BONE = (80, 230, 80)
_JOINT = (255, 255, 255)
_BOX = (230, 160, 60)
# A landmark the model itself doubts is not drawn: a bone to a guessed knee misleads.
MIN_VISIBILITY = 0.5
FACE_POINTS = (NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR)
# The bones drawn: torso, arms and legs; no edge touches the face.
BODY_BONES = tuple((a, b) for a, b in BONES if a not in FACE_POINTS and b not in FACE_POINTS)
# Joints drawn as dots: the ends of the bones, and the face's points (not the fingers and toes).
DRAWN_POINTS = tuple(sorted({k for bone in BODY_BONES for k in bone} | set(FACE_POINTS)))


# One colour per person id (BGR), far apart in hue; ids beyond the list wrap around.
PERSON_COLOURS = ((80, 230, 80), (60, 160, 255), (255, 120, 80), (220, 80, 220), (80, 220, 230), (60, 60, 230))


def person_colour(person_id: int) -> tuple[int, int, int]:
    """The BGR colour of person `person_id` (1, 2, ...), the same in the video and the window."""
    return PERSON_COLOURS[(int(person_id) - 1) % len(PERSON_COLOURS)]


def draw_skeleton(img: np.ndarray, pose, scale: float = 1.0, box: bool = True,
                  colour: tuple[int, int, int] | None = None) -> None:
    """Draws `pose` onto `img` in place.

    Drawing stops at the edges of `img`: pass the picture's own view when it sits inside
    a larger canvas, so no bone reaches past the picture.

    Args:
        img: uint8 BGR (H, W, 3), possibly `scale` times the size the pose was found in.
        pose: a `model.pose.landmarks.Pose` (image pixels of the original frame), or None.
        scale: output pixels per original pixel.
        box: also draw the person's box.
        colour: BGR of the bones and box (a person's `person_colour`); None: one person's colours.
    """
    if pose is None:
        return
    pts = np.round(pose.image[:, :2] * scale).astype(int)
    seen = pose.visibility >= MIN_VISIBILITY
    # As thick on a 1080p picture as on a 480 px one, relative to the picture.
    thick = max(2, int(round(2 * max(scale, img.shape[0] / 480))))
    for a, b in BODY_BONES:
        if seen[a] and seen[b]:
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), colour or _BONE, thick, cv2.LINE_AA)
    for k in (k for k in DRAWN_POINTS if seen[k]):
        cv2.circle(img, tuple(pts[k]), thick + 1, _JOINT, -1, cv2.LINE_AA)
    if box:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in pose.box())
        cv2.rectangle(img, (x0, y0), (x1, y1), colour or _BOX, max(1, thick // 2))


def draw_people(img: np.ndarray, people, scale: float = 1.0, selected: int | None = None,
                name=lambda label: label) -> None:
    """Draws everyone in view: skeleton, box and a tag "#id label x8 93%" in each person's colour.

    Args:
        img: uint8 BGR picture, as for `draw_skeleton`.
        people: `app.results.PersonResult`s.
        scale: output pixels per original pixel.
        selected: the selected person's id: their box is drawn thicker.
        name: the label as shown (e.g. `Result.shown_name`); "" is shown as "deciding…".
    """
    font_scale = max(0.45, img.shape[0] / 900)
    for person in people:
        colour = person_colour(person.id)
        draw_skeleton(img, person.pose, scale, box=True, colour=colour)
        x0, y0, x1, _ = (int(round(v * scale)) for v in person.box)
        if person.id == selected:
            cv2.rectangle(img, (x0 - 2, y0 - 2), (x1 + 2, int(round(person.box[3] * scale)) + 2), colour, 2)
        shown = with_count(name(person.label), person.count, "x") or "deciding..."
        tag = f"#{person.id} {shown}" + (f" {person.confidence:.0%}" if person.label else "")
        (tw, th), base = cv2.getTextSize(tag, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
        ty = max(th + base, y0)
        x0 = max(0, min(x0, img.shape[1] - tw - 4))  # moved in from the right edge, not cut there
        cv2.rectangle(img, (x0, ty - th - base), (x0 + tw + 4, ty), colour, -1)
        cv2.putText(img, tag, (x0 + 2, ty - base), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (0, 0, 0), 1, cv2.LINE_AA)
