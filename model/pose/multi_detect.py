"""Stage 1 for several people: every person the detector finds, strip by strip.

BlazePose's detector was trained to report the one most prominent person: on the
whole frame of two people side by side it finds one. Given a narrower piece of
the frame, it finds whoever is most prominent there, so the frame is cut into
`NUM_STRIPS` overlapping vertical strips, each strip is detected alone, and the
detections are merged by overlap. Measured on real footage (README, "Several
people"): both people of two clips side by side on every sampled frame, where
the whole frame gave one.

A search is spread over frames, one strip per call (`StripSearch`), so no frame
pays for more than one extra detector call.
"""

from __future__ import annotations

import numpy as np

from model.pose.detector import (
    INPUT_SIZE,
    MIN_SCORE,
    NMS_IOU,
    NUM_KEYPOINTS,
    SCORE_CLIP,
    Detection,
    PoseDetector,
    box_iou,
    decode_boxes,
    letterbox,
)

# Three strips, each half the frame wide, start at 0, 1/4 and 1/2 of the width: every
# point of the frame is in at least one strip, and a person at a strip's edge is whole
# in the next one.
NUM_STRIPS = 3
STRIP_WIDTH = 0.5
# Two detections overlapping by more than this (intersection over the smaller box) are one person.
SAME_PERSON_OVERLAP = 0.5


def detect_all(detector: PoseDetector, rgb: np.ndarray) -> list[Detection]:
    """Every person the detector scores above `MIN_SCORE` in one image, after NMS.

    Args:
        detector: a `PoseDetector` (its model and anchors are used).
        rgb: uint8 (h, w, 3), RGB.

    Returns:
        `Detection`s in image pixels, most confident first.
    """
    square, scale, pad_x, pad_y = letterbox(rgb, INPUT_SIZE)
    x = square.astype(np.float32)[None] * (2.0 / 255.0) - 1.0
    outputs = detector.model(x)
    raw = next(o for o in outputs if o.shape[-1] == 4 + 2 * NUM_KEYPOINTS)[0]
    logits = next(o for o in outputs if o.shape[-1] == 1)[0, :, 0]
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)))
    keep = np.flatnonzero(scores >= MIN_SCORE)
    if keep.size == 0:
        return []
    decoded, scores = decode_boxes(raw[keep], detector._anchors[keep]), scores[keep]
    found: list[Detection] = []
    left = np.ones(len(scores), bool)
    while left.any():
        best = int(np.argmax(np.where(left, scores, -1.0)))
        same = left & (box_iou(decoded[best, :4], decoded[:, :4]) > NMS_IOU)
        w = scores[same]
        merged = (decoded[same] * w[:, None]).sum(0) / w.sum()
        pts = (merged.reshape(-1, 2) * INPUT_SIZE - (pad_x, pad_y)) / scale
        box = (float(pts[0, 0]), float(pts[0, 1]), float(pts[1, 0]), float(pts[1, 1]))
        found.append(Detection(float(scores[best]), box, pts[2:].astype(np.float32)))
        left &= ~same
    return found


def strip_bounds(width: int) -> list[tuple[int, int]]:
    """The strips' (x0, x1) in pixels of a frame `width` wide: (NUM_STRIPS,) pairs."""
    span = max(1, round(width * STRIP_WIDTH))
    starts = np.linspace(0, width - span, NUM_STRIPS).round().astype(int)
    return [(int(x0), int(x0) + span) for x0 in starts]


def detect_in_strip(detector: PoseDetector, rgb: np.ndarray, strip: int) -> list[Detection]:
    """`detect_all` on one strip of the frame, in the whole frame's pixels."""
    x0, x1 = strip_bounds(rgb.shape[1])[strip]
    out = []
    for det in detect_all(detector, np.ascontiguousarray(rgb[:, x0:x1])):
        b = det.box
        out.append(Detection(det.score, (b[0] + x0, b[1], b[2] + x0, b[3]), det.keypoints + (x0, 0)))
    return out


def merge_detections(detections: list[Detection]) -> list[Detection]:
    """One detection per person: of any two that overlap (`SAME_PERSON_OVERLAP`), the more confident."""
    kept: list[Detection] = []
    for det in sorted(detections, key=lambda d: -d.score):
        if all(overlap(det.box, other.box) <= SAME_PERSON_OVERLAP for other in kept):
            kept.append(det)
    return kept


def overlap(a, b) -> float:
    """Intersection of two (x0, y0, x1, y1) boxes over the smaller one's area, in [0, 1]."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / max(smaller, 1e-9))


class StripSearch:
    """A search for people spread over `NUM_STRIPS` calls, one strip each.

    Args:
        detector: a `PoseDetector`.
    """

    def __init__(self, detector: PoseDetector):
        self.detector = detector
        self._next = 0
        self._found: list[Detection] = []
        self.calls = 0

    @property
    def searching(self) -> bool:
        """True between the first and the last strip of a sweep."""
        return self._next != 0

    def reset(self) -> None:
        """Drops a sweep in progress."""
        self._next = 0
        self._found = []

    def step(self, rgb: np.ndarray) -> list[Detection] | None:
        """Detects in the next strip.

        Returns:
            None until a sweep's last strip, then the sweep's merged detections.
        """
        self.calls += 1
        self._found += detect_in_strip(self.detector, rgb, self._next)
        self._next = (self._next + 1) % NUM_STRIPS
        if self._next:
            return None
        found, self._found = merge_detections(self._found), []
        return found
