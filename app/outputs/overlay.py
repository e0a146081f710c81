"""Draws the label, top-k bars, next-frame preview and status line on a frame.

Shared by the recorder and the GUI's snapshot, so a recording shows exactly what
the screen did. OpenCV drawing only; the input frame is never modified.

The output can be larger than the input: frames shorter than `MIN_HEIGHT` (such
as 64x64 dataset clips) are upscaled first so the text stays legible. Use
`overlay_size` to know the output size in advance (e.g. for `VideoRecorder`).
"""

from __future__ import annotations

import cv2
import numpy as np

from app.outputs.headline import headline
from app.outputs.skeleton import draw_skeleton
from app.results import NO_PERSON, UNDECIDED, UNKNOWN, Result, surprise_text
from model.preprocess import as_bgr, to_display

# 480 px is the smallest height where a 3-row probability panel and the status line fit.
MIN_HEIGHT = 480
_FONT = cv2.FONT_HERSHEY_SIMPLEX
# BGR colours: confident labels in green, idle in grey, "unknown" in amber.
_WHITE = (255, 255, 255)
_GREEN = (90, 220, 90)
_GREY = (170, 170, 170)
_AMBER = (40, 180, 255)
_BAR = (200, 150, 60)
_TRACK = (70, 70, 70)


def overlay_size(h: int, w: int) -> tuple[int, int]:
    """The (height, width) `render_overlay` returns for an (h, w) input."""
    if h >= MIN_HEIGHT:
        return int(h), int(w)
    scale = MIN_HEIGHT / h
    # Even sizes keep every video codec happy.
    return MIN_HEIGHT, max(2, int(round(w * scale / 2)) * 2)


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
            (then a dim "no result yet" box is drawn; say why in `status`, e.g.
            "loading model...").
        status: the bottom line, e.g. "24.8 fps | 41 ms | CPU"; nothing when empty.
        preview: the latest next-frame prediction to inset in the bottom-right
            corner: float (h, w, c) in [0, 1] in model space, or a uint8 BGR/gray
            image. Results carry one only every few steps, so pass the last one seen.
        top_k: how many probability bars to draw (0 for none).
        idle_label: the label drawn in the dim idle style.
        skeleton: draw the person's skeleton and box (pose models' results carry them).

    Returns:
        A new uint8 BGR image of shape (*overlay_size(h, w), 3).
    """
    out = _upscale(as_bgr(image, "image"))
    if np.shares_memory(out, image):
        out = out.copy()  # drawn on below; the caller's frame stays clean
    H, W = out.shape[:2]
    if skeleton and result is not None and result.pose is not None:
        draw_skeleton(out, result.pose, scale=H / image.shape[0])
    # Scale text with the frame, but never below what reads on a 480 px upscaled clip.
    s = float(np.clip(min(W / 640.0, H / 360.0), 0.9, 3.0))
    m = max(4, int(10 * s))
    if result is None:
        _label_panel(out, "no result yet", _GREY, [], s, m)
    else:
        if result.label == UNKNOWN:
            text, colour = "unknown", _AMBER
        elif result.label == NO_PERSON:
            text, colour = NO_PERSON, _GREY
        elif result.label == UNDECIDED:
            text, colour = "deciding", _GREY  # ASCII: OpenCV's fonts have no ellipsis
        else:
            # Grey, as in the window, for idle and for a label held while the next one dwells, and
            # a held label without its falling percentage: a green "walk 20%" beside an 80% "run"
            # bar reads as a confident mistake. The bars show what it is giving way to.
            shown = headline(result, idle_label=idle_label)
            text = result.label if shown.giving_way_to else f"{result.label}  {result.confidence * 100:.0f}%"
            colour = _GREY if shown.quiet else _GREEN
        bars = result.top_k(top_k) if top_k > 0 else []
        _label_panel(out, text, colour, bars, s, m, highlight=result.label)
    status_h = _status_line(out, status, s, m) if status else 0
    if preview is not None:
        surprise = None if result is None else result.surprise
        _preview_inset(out, preview, surprise, s, m, bottom=H - status_h - m)
    return out


def _upscale(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    oh, ow = overlay_size(h, w)
    if (oh, ow) == (h, w):
        return img
    # Nearest keeps a 64 px clip's pixels honest instead of smearing them.
    interp = cv2.INTER_NEAREST if oh >= 2 * h else cv2.INTER_LINEAR
    return cv2.resize(img, (ow, oh), interpolation=interp)


def _ascii(text: str) -> str:
    # Hershey fonts draw only ASCII; anything else would come out as "?" piles.
    return text.replace("\u2026", "...").encode("ascii", "replace").decode("ascii")


def _text_size(text: str, scale: float, thick: int) -> tuple[int, int, int]:
    (w, h), base = cv2.getTextSize(text, _FONT, scale, thick)
    return w, h, base


def _dark_box(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float = 0.6) -> None:
    H, W = img.shape[:2]
    x0, x1 = max(0, x0), min(W, x1)
    y0, y1 = max(0, y0), min(H, y1)
    if x1 > x0 and y1 > y0:
        roi = img[y0:y1, x0:x1]
        roi[:] = (roi.astype(np.float32) * (1.0 - alpha)).astype(np.uint8)


def _put(img: np.ndarray, text: str, x: int, y: int, scale: float, colour, thick: int) -> None:
    cv2.putText(img, _ascii(text), (x, y), _FONT, scale, colour, thick, cv2.LINE_AA)


def _label_panel(img, text, colour, bars, s, m, highlight: str | None = None) -> None:
    text = _ascii(text)
    big, big_t = 1.1 * s, max(1, round(2 * s))
    small, small_t = 0.55 * s, max(1, round(s))
    tw, th, tb = _text_size(text, big, big_t)
    row_h = int(22 * s)
    name_w = max([_text_size(_ascii(n), small, small_t)[0] for n, _ in bars] or [0])
    bar_w = int(140 * s)
    pct_w = _text_size("100%", small, small_t)[0]
    width = max(tw, name_w + bar_w + pct_w + 2 * m)
    height = th + tb + (len(bars) * row_h + m if bars else 0)
    x0, y0 = m, m
    _dark_box(img, x0, y0, x0 + width + 2 * m, y0 + height + 2 * m)
    # A coloured edge tells the three states apart even at a glance.
    edge = max(2, int(4 * s))
    cv2.rectangle(img, (x0, y0), (x0 + edge, y0 + height + 2 * m), colour, -1)
    x, y = x0 + m + edge, y0 + m + th
    _put(img, text, x, y, big, colour, big_t)
    y += tb + m
    for name, p in bars:
        bx = x + name_w + m
        _put(img, name, x, y + int(15 * s), small, _WHITE, small_t)
        cv2.rectangle(img, (bx, y + int(4 * s)), (bx + bar_w, y + row_h - int(4 * s)), _TRACK, -1)
        fill = colour if name == highlight else _BAR
        fill_w = int(round(bar_w * float(np.clip(p, 0.0, 1.0))))
        if fill_w > 0:
            cv2.rectangle(img, (bx, y + int(4 * s)), (bx + fill_w, y + row_h - int(4 * s)), fill, -1)
        _put(img, f"{p * 100:.0f}%", bx + bar_w + m, y + int(15 * s), small, _WHITE, small_t)
        y += row_h


def _status_line(img: np.ndarray, status: str, s: float, m: int) -> int:
    H, W = img.shape[:2]
    scale, thick = 0.5 * s, max(1, round(s))
    tw, th, tb = _text_size(_ascii(status), scale, thick)
    if tw > W - 2 * m:
        # Shrunk to fit, not cut: its end says what runs the model (e.g. "LiteRT on CPU").
        scale *= (W - 2 * m) / tw
        tw, th, tb = _text_size(_ascii(status), scale, thick)
    h = th + tb + m
    _dark_box(img, 0, H - h, W, H)
    _put(img, status, m, H - tb - m // 2, scale, _WHITE, thick)
    return h


def _preview_inset(img, preview, surprise, s, m, bottom: int) -> None:
    H, W = img.shape[:2]
    pv = np.asarray(preview)
    pv = to_display(pv) if np.issubdtype(pv.dtype, np.floating) else as_bgr(pv, "preview")
    side = max(16, int(min(H, W) * 0.28))
    ph, pw = pv.shape[:2]
    ih, iw = (side, max(1, round(side * pw / ph))) if ph >= pw else (max(1, round(side * ph / pw)), side)
    interp = cv2.INTER_NEAREST if ih >= 2 * ph else cv2.INTER_AREA
    pv = cv2.resize(pv, (iw, ih), interpolation=interp)
    caption = "next frame" if surprise is None else f"next frame  surprise {surprise_text(surprise)}"
    scale, thick = 0.45 * s, max(1, round(s))
    cw, ch, cb = _text_size(caption, scale, thick)
    x1 = W - m
    x0 = max(0, x1 - iw)
    y1 = max(ih + ch + cb + m, bottom)
    y0 = y1 - ih
    _dark_box(img, min(x0, x1 - cw) - m // 2, y0 - ch - cb - m, x1 + m // 2, y0)
    _put(img, caption, max(0, x1 - cw), y0 - cb - m // 2, scale, _WHITE, thick)
    img[y0:y1, x0:x1] = pv[: y1 - y0, : x1 - x0]
    border = max(1, int(2 * s))
    cv2.rectangle(img, (x0 - border, y0 - border), (x1 + border - 1, y1 + border - 1), _WHITE, border)


def status_text(stats: dict, skipped_paints: int = 0) -> str:
    """Formats `Engine.stats()` for the status bar and for recorded frames.

    Args:
        stats: {"capture_fps", "model_fps", "inference_ms", "latency_ms", "dropped",
            "device", ...}; missing keys read as 0.
        skipped_paints: frames the GUI did not paint because a newer one had arrived.

    Returns:
        e.g. "source 30.0 fps | model 29.8 fps | inference 12 ms | latency 48 ms | dropped 0 | LiteRT on CPU".
    """
    parts = [
        f"source {float(stats.get('capture_fps', 0.0)):.1f} fps",
        f"model {float(stats.get('model_fps', 0.0)):.1f} fps",
        f"inference {float(stats.get('inference_ms', 0.0)):.0f} ms",
        f"latency {float(stats.get('latency_ms', 0.0)):.0f} ms",
        f"dropped {int(stats.get('dropped', 0))}",
    ]
    if skipped_paints:
        parts.append(f"unpainted {skipped_paints}")
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
