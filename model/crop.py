"""A square crop that follows the moving region, so the model sees the person, not the room.

The same clip filmed from far away (a small figure in a 640x480 office) and close
up (a figure that fills a 64 px frame) should look alike to the model. `MotionCrop`
finds where things moved over the last second, on a small gray copy of each frame,
and crops a square around it with a margin. It is causal and stateful: each frame's
box depends only on that frame and the ones before it, so the live app computes a
frame's crop (and its embedding) once, exactly as training did, frame by frame at
the source's rate.
"""

from __future__ import annotations

import cv2
import numpy as np

# Motion is found on a copy this wide: enough for a person, cheap at 30 fps.
_WORK_WIDTH = 96


class MotionCrop:
    """Crops each frame to a square around recent motion.

    Args:
        decay: per-frame decay of the motion map; 0.95 remembers about the last 20
            frames (0.7 s at 30 fps), so the whole swing of an arm stays in the crop.
        margin: extra space around the moving region, as a fraction of its side.
        min_side: the smallest crop, as a fraction of the frame's shorter side; a
            twitch never zooms in on a few pixels. 0.7 keeps the body in view when only
            one arm moves: at 0.4 the crop of a one-hand wave followed the arm off the
            body, and false alarms on sources held out of training were 9 times as many
            (docs/default_model_notes.md).
        follow: how far the box's centre moves toward the new one per frame (0..1);
            small values keep the frame-to-frame change the model sees about the person.
        follow_size: the same for the box's side, slower still: a crop that breathes
            with each arm swing would change the person's size within one window.

    Call arguments:
        frame: uint8 gray (h, w) or colour (h, w, c), as decoded.

    Returns:
        The square crop (s, s[, c]) of `frame`, s <= min(h, w), uint8.
    """

    def __init__(self, decay: float = 0.95, margin: float = 0.35, min_side: float = 0.7,
                 follow: float = 0.15, follow_size: float = 0.05) -> None:
        self.decay, self.margin, self.min_side = decay, margin, min_side
        self._rate = np.array([follow, follow, follow_size], np.float32)
        self.reset()

    def signature(self) -> dict:
        """Every setting that decides the crops, so a cache of cropped clips can tell them apart."""
        return {"decay": self.decay, "margin": self.margin, "min_side": self.min_side,
                "follow": [float(r) for r in self._rate], "work_width": _WORK_WIDTH}

    def reset(self) -> None:
        """Forgets the motion history (a new clip, a seek)."""
        self._prev: np.ndarray | None = None
        self._energy: np.ndarray | None = None
        self._box: np.ndarray | None = None  # (cx, cy, side) in frame pixels

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        small = _small_gray(frame)
        if self._prev is None or self._prev.shape != small.shape:
            self._prev, self._energy, self._box = small, np.zeros(small.shape, np.float32), None
        diff = cv2.absdiff(small, self._prev)
        self._prev = small
        # Dark, noisy cameras (ARID) flicker everywhere: only changes well above the
        # frame's own noise level count as motion.
        level = max(10.0, 4.0 * float(np.median(diff)))
        moving = (diff > level).astype(np.float32)
        self._energy = self.decay * self._energy + moving
        target = self._target_box(self._energy, w / small.shape[1], h, w)
        if self._box is None:
            self._box = target
        elif target is not None:
            self._box = self._box + self._rate * (target - self._box)
        return _cut(frame, self._box)

    def _target_box(self, energy: np.ndarray, scale: float, h: int, w: int) -> np.ndarray:
        full = np.array([w / 2, h / 2, min(h, w)], np.float32)
        total = float(energy.sum())
        if total < 3.0:  # nothing has moved yet: the centred square
            return full if self._box is None else None
        ys, xs = np.nonzero(energy > 0.1 * energy.max())
        weights = energy[ys, xs]
        # Weighted 5th to 95th percentiles: a stray pixel at the edge does not stretch the box.
        x0, x1 = _weighted_quantiles(xs, weights, (0.05, 0.95)) * scale
        y0, y1 = _weighted_quantiles(ys, weights, (0.05, 0.95)) * scale
        side = max(x1 - x0, y1 - y0) * (1.0 + 2.0 * self.margin)
        side = float(np.clip(side, self.min_side * min(h, w), min(h, w)))
        return np.array([(x0 + x1) / 2, (y0 + y1) / 2, side], np.float32)


def _small_gray(frame: np.ndarray) -> np.ndarray:
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame[..., :3], cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    size = (_WORK_WIDTH, max(1, round(h * _WORK_WIDTH / w)))
    return cv2.GaussianBlur(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), (3, 3), 0)


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    return np.array([values[order][min(np.searchsorted(cum, q), len(cum) - 1)] for q in qs], np.float32)


def _cut(frame: np.ndarray, box: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    side = int(round(min(box[2], h, w)))
    # Shifted inside the frame rather than padded: padding would add edges that move.
    x0 = int(round(np.clip(box[0] - side / 2, 0, w - side)))
    y0 = int(round(np.clip(box[1] - side / 2, 0, h - side)))
    return frame[y0 : y0 + side, x0 : x0 + side]
