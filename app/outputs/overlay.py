"""Draws the annotated frame: the picture, and beside it the label, top-k bars and next-frame preview.

Shared by the recorder and the GUI's snapshot, so a recording shows exactly what
the screen did. OpenCV drawing only; the input frame is never modified.

Nothing is drawn over the picture but the person's own skeleton and box: the label,
the bars and the preview sit in a panel to its right (`app.outputs.panel`) and the
status line in a band under it, so a raised hand is never hidden. Frames shorter
than `MIN_HEIGHT` (such as 64x64 dataset clips) are upscaled first so the text stays
legible, and the panel grows with the picture, so a 1080p recording reads like a
640x480 one. Use `overlay_size` to know the output size in advance (e.g. for
`VideoRecorder`).
"""

from __future__ import annotations

import cv2
import numpy as np

from app.frames import source_rate_text
from app.outputs.headline import headline
from app.outputs.panel import (
    PANEL_BG,
    WHITE,
    draw_panel,
    fit_scale,
    panel_width,
    put,
    status_height,
)
from app.outputs.skeleton import draw_people, draw_skeleton
from app.results import NO_PERSON, UNKNOWN, Result
from model.preprocess import as_bgr

# 480 px is the smallest height where the panel's headline, three bars and a preview fit.
MIN_HEIGHT = 480
# BGR colours: confident labels in green, idle in grey, "unknown" in amber.
_GREEN = (90, 220, 90)
_GREY = (170, 170, 170)
_AMBER = (40, 180, 255)


def picture_size(h: int, w: int) -> tuple[int, int]:
    """The (height, width) the picture of an (h, w) input takes in the annotated frame."""
    if h >= MIN_HEIGHT:
        return int(h), int(w)
    scale = MIN_HEIGHT / h
    # Even sizes keep every video codec happy.
    return MIN_HEIGHT, max(2, int(round(w * scale / 2)) * 2)


def overlay_size(h: int, w: int) -> tuple[int, int]:
    """The (height, width) `render_overlay` returns for an (h, w) input: picture, panel and status band."""
    ph, pw = picture_size(h, w)
    return ph + status_height(ph), pw + panel_width(ph)


def render_overlay(
    image: np.ndarray,
    result: Result | None,
    *,
    status: str = "",
    preview: np.ndarray | None = None,
    top_k: int = 3,
    idle_label: str = "idle",
    skeleton: bool = False,
) -> np.ndarray:
    """Renders the annotated frame.

    Args:
        image: uint8 frame, BGR (h, w, 3), gray (h, w) / (h, w, 1) or BGRA (h, w, 4).
        result: the engine's answer for this frame, or None before the first one
            (then the panel says "deciding…"; say why in `status`, e.g. "loading model...").
        status: the line in the band under the picture, e.g. "24.8 fps | 41 ms | CPU".
        preview: the latest next-frame prediction, drawn at the panel's foot: float
            (h, w, c) in [0, 1] in model space, or a uint8 BGR/gray image. Results
            carry one only every few steps, so pass the last one seen.
        top_k: how many probability bars to draw (0 for none).
        idle_label: the label drawn in the dim idle style.
        skeleton: draw the person's skeleton and box (pose models' results carry them).

    Returns:
        A new uint8 BGR image of shape (*overlay_size(h, w), 3): the picture at the
        top left, the panel to its right, the status band under both.
    """
    picture = _upscale(as_bgr(image, "image"))
    H, W = picture.shape[:2]
    out = np.empty((*overlay_size(*image.shape[:2]), 3), np.uint8)
    out[:H, :W] = picture  # a copy: the caller's frame stays clean
    if skeleton and result is not None and result.people is not None:
        # Several people: everyone, each in their own colour with their own label.
        draw_people(out[:H, :W], result.people, scale=H / image.shape[0], selected=result.person_id,
                    name=result.shown_name)
    elif skeleton and result is not None and result.pose is not None:
        # Drawn on the picture's own view, so nothing of it reaches the panel or the band.
        draw_skeleton(out[:H, :W], result.pose, scale=H / image.shape[0])
    shown = headline(result, idle_label=idle_label)
    if result is None or not shown.label or shown.quiet:
        colour = _AMBER if result is not None and result.label == UNKNOWN else _GREY
    else:
        colour = _GREEN
    # Nobody in view: nothing to rank, and three 0% bars would read as a verdict.
    bars = result.shown_top_k(top_k) if result is not None and top_k > 0 and result.label != NO_PERSON else []
    draw_panel(out[:H, W:], shown.text, shown.detail, colour, bars, result.shown_label if result else "",
               preview, None if result is None else result.surprise)
    _status_band(out[H:], status)
    return out


def _upscale(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    oh, ow = picture_size(h, w)
    if (oh, ow) == (h, w):
        return img
    # Nearest keeps a 64 px clip's pixels honest instead of smearing them.
    interp = cv2.INTER_NEAREST if oh >= 2 * h else cv2.INTER_LINEAR
    return cv2.resize(img, (ow, oh), interpolation=interp)


def _status_band(band: np.ndarray, status: str) -> None:
    band[:] = PANEL_BG
    if not status:
        return
    h, W = band.shape[:2]
    s = h / status_height(MIN_HEIGHT)
    m = max(4, int(round(8 * s)))
    thick = max(1, round(s))
    # Shrunk to fit, not cut: its end says what runs the model (e.g. "LiteRT on CPU").
    scale = fit_scale(status, 0.45 * s, thick, W - 2 * m)
    th = cv2.getTextSize(status, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)[0][1]
    put(band, status, m, (h + th) // 2, scale, WHITE, thick)


def status_text(stats: dict) -> str:
    """Formats `Engine.stats()` for the status bar and for recorded frames.

    Args:
        stats: {"source_kind", "source_fps", "capture_fps", "model_fps", "inference_ms",
            "latency_ms", "dropped", "device", ...}; missing keys read as 0.

    Returns:
        e.g. "file 30 fps | processing 30.0 fps | model 29.8 fps | inference 12 ms | latency 48 ms | dropped 0 | LiteRT on CPU".
    """
    parts = [
        source_rate_text(str(stats.get("source_kind", "")), float(stats.get("source_fps", 0.0)),
                         float(stats.get("capture_fps", 0.0))),
        f"model {float(stats.get('model_fps', 0.0)):.1f} fps",
        f"inference {float(stats.get('inference_ms', 0.0)):.0f} ms",
        f"latency {float(stats.get('latency_ms', 0.0)):.0f} ms",
        f"dropped {int(stats.get('dropped', 0))}",
    ]
    device = str(stats.get("device", "") or "no device")
    # ASCII only: recordings draw this line with OpenCV's Hershey fonts.
    parts.append(f"{stats['runtime']} on {device}" if stats.get("runtime") else device)
    return " | ".join(parts)


class OverlayRenderer:
    """`render_overlay` for a stream of frames, as the GUI's recording and `run --out` draw them.

    Keeps the last next-frame prediction, so every frame carries a preview even when
    the predictor runs only every few frames.

    Args:
        status: returns the status line to draw (called once per frame, on the writer thread).
        idle_label: the label drawn in the dim idle style.
        skeleton: draw the person's skeleton and box.
    """

    def __init__(self, status, idle_label: str = "idle", skeleton: bool = False) -> None:
        self._status = status
        self.idle_label = idle_label
        self.skeleton = skeleton
        self._preview = None

    def __call__(self, frame, result: Result | None) -> np.ndarray:
        """The annotated uint8 BGR image (*overlay_size(h, w), 3) for `frame` and its result."""
        if result is not None and result.predicted_frame is not None:
            self._preview = result.predicted_frame
        return render_overlay(frame.image, result, status=self._status(), preview=self._preview,
                              top_k=3, idle_label=self.idle_label, skeleton=self.skeleton)
