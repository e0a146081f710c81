"""The side panel of an annotated frame: headline, top classes and next-frame preview.

The panel sits beside the picture, never over it, so a raised hand or a head is never
hidden behind text. Everything in it is sized from the picture's height, so a 1080p
recording and a 640x480 one look alike, only sharper. OpenCV drawing only.
"""

from __future__ import annotations

import cv2
import numpy as np

from app.results import surprise_text
from model.preprocess import as_bgr, to_display

FONT = cv2.FONT_HERSHEY_SIMPLEX
WHITE = (255, 255, 255)
PANEL_BG = (32, 32, 32)
_BAR = (200, 150, 60)
_TRACK = (70, 70, 70)
_DIM = (200, 200, 200)
# At 480 px of picture: wide enough for "front_arm_raise" in the headline font.
_PANEL_W_AT_480 = 240
_STATUS_H_AT_480 = 22


def scale_for(height: int) -> float:
    """Panel and status scale for a picture `height` pixels high (1.0 at 480 px)."""
    return max(1.0, height / 480.0)


def panel_width(height: int) -> int:
    """Width in pixels of the panel beside a picture `height` high (even, for video codecs)."""
    return int(round(_PANEL_W_AT_480 * scale_for(height) / 2)) * 2


def status_height(height: int) -> int:
    """Height in pixels of the status band under a picture `height` high (even)."""
    return int(round(_STATUS_H_AT_480 * scale_for(height) / 2)) * 2


def ascii_text(text: str) -> str:
    """`text` as Hershey fonts can draw it (ASCII; an ellipsis becomes "...", a times sign "x")."""
    return text.replace("\u2026", "...").replace("\u00d7", "x").encode("ascii", "replace").decode("ascii")


def fit_scale(text: str, scale: float, thick: int, width: int) -> float:
    """`scale`, shrunk so `text` fits in `width` pixels (never cut: its end may matter)."""
    tw = cv2.getTextSize(ascii_text(text), FONT, scale, thick)[0][0]
    return scale if tw <= width else scale * width / max(1, tw)


def put(img: np.ndarray, text: str, x: int, y: int, scale: float, colour, thick: int) -> None:
    """Draws ASCII `text` with its baseline at (x, y)."""
    cv2.putText(img, ascii_text(text), (x, y), FONT, scale, colour, thick, cv2.LINE_AA)


def draw_panel(panel: np.ndarray, text: str, detail: str, colour, bars: list[tuple[str, float]],
               highlight: str, preview: np.ndarray | None, surprise: float | None) -> None:
    """Fills `panel` in place, top to bottom.

    Args:
        panel: uint8 BGR (H, Wp, 3), the column beside the picture.
        text: the headline ("side_arm_raise", "unknown", "no person", "deciding…").
        detail: the small line under it (confidence, or why there is no label).
        colour: BGR colour of the headline and of the highlighted bar.
        bars: (shown name, probability) rows, best first; empty draws none.
        highlight: the name whose bar takes `colour`.
        preview: the next-frame prediction, float (h, w, c) in [0, 1] or uint8 BGR/gray, or None.
        surprise: shown in the preview's caption when not None.
    """
    H, W = panel.shape[:2]
    s = scale_for(H)
    m = max(4, int(round(10 * s)))
    inner = W - 2 * m
    panel[:] = PANEL_BG
    # A coloured edge tells the states apart at a glance, as the window's does.
    cv2.rectangle(panel, (0, 0), (max(2, int(4 * s)) - 1, H - 1), colour, -1)
    big_t = max(1, round(2 * s))
    big = fit_scale(text, 0.8 * s, big_t, inner)
    th = cv2.getTextSize(ascii_text(text), FONT, big, big_t)[0][1]
    y = m + th
    put(panel, text, m, y, big, colour, big_t)
    small_t = max(1, round(s))
    if detail:
        small = fit_scale(detail, 0.45 * s, small_t, inner)
        y += int(22 * s)
        put(panel, detail, m, y, small, _DIM, small_t)
    y += int(12 * s)
    for name, p in bars:
        y += int(18 * s)
        pct = f"{p * 100:.0f}%"
        pw = cv2.getTextSize(pct, FONT, 0.45 * s, small_t)[0][0]
        put(panel, name, m, y, fit_scale(name, 0.45 * s, small_t, inner - pw - m), WHITE, small_t)
        put(panel, pct, W - m - pw, y, 0.45 * s, WHITE, small_t)
        top, bottom = y + int(5 * s), y + int(13 * s)
        cv2.rectangle(panel, (m, top), (W - m, bottom), _TRACK, -1)
        fill = int(round(inner * float(np.clip(p, 0.0, 1.0))))
        if fill > 0:
            cv2.rectangle(panel, (m, top), (m + fill, bottom), colour if name == highlight else _BAR, -1)
        y = bottom
    if preview is not None:
        _preview(panel, preview, surprise, y + int(16 * s), s, m)


def _preview(panel: np.ndarray, preview, surprise, top: int, s: float, m: int) -> None:
    H, W = panel.shape[:2]
    pv = np.asarray(preview)
    pv = to_display(pv) if np.issubdtype(pv.dtype, np.floating) else as_bgr(pv, "preview")
    caption = "next frame" if surprise is None else f"next frame  surprise {surprise_text(surprise)}"
    thick = max(1, round(s))
    scale = fit_scale(caption, 0.4 * s, thick, W - 2 * m)
    ch = cv2.getTextSize(caption, FONT, scale, thick)[0][1]
    y0 = top + ch + m // 2
    room_w, room_h = W - 2 * m, H - y0 - m
    if room_h < 16:
        return  # no room left under the bars: the panel is a minimum, not a promise
    ph, pw = pv.shape[:2]
    f = min(room_w / pw, room_h / ph)
    iw, ih = max(1, int(pw * f)), max(1, int(ph * f))
    interp = cv2.INTER_NEAREST if f >= 2 else cv2.INTER_AREA
    put(panel, caption, m, top + ch, scale, WHITE, thick)
    panel[y0:y0 + ih, m:m + iw] = cv2.resize(pv, (iw, ih), interpolation=interp)
