"""How evaluation results are shown: a plain-text table and a confusion-matrix PNG.

OpenCV is imported only to draw the confusion matrix. The scores come from
model/eval/metrics.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.eval.metrics import _ratio, per_class_prf


def format_table(
    confusion: np.ndarray,
    labels: Sequence[str],
    *,
    clip_accuracy: float | None = None,
    window_accuracy: float | None = None,
    title: str | None = None,
) -> str:
    """Formats evaluation results as plain text for a terminal.

    Args:
        confusion: (k, k) counts, rows true, columns predicted (usually per clip).
        labels: the k class names.
        clip_accuracy: accuracy of the per-clip predictions, if measured.
        window_accuracy: accuracy of the per-window predictions, if measured.
        title: an optional first line.

    Returns:
        Accuracy lines, a per-class precision/recall/F1/support table with a
        macro average (over the labels with support), and the labelled confusion matrix.
    """
    prf = per_class_prf(confusion, labels)
    cm = np.asarray(confusion)
    lines = [title] if title else []
    if clip_accuracy is not None:
        lines.append(f"Clip accuracy:   {clip_accuracy:.3f}")
    if window_accuracy is not None:
        lines.append(f"Window accuracy: {window_accuracy:.3f}")
    name_w = max(9, *(len(label) for label in labels))
    lines += ["", f"{'':<{name_w}}  precision  recall     f1  support"]
    for label, s in prf.items():
        lines.append(
            f"{label:<{name_w}}  {s['precision']:9.3f}  {s['recall']:6.3f}  {s['f1']:5.3f}  {s['support']:7d}"
        )
    # Over the classes the data holds: a model label with no clips here (often `idle`)
    # would otherwise drag the average down by a zero that measures nothing.
    present = [s for s in prf.values() if s["support"] > 0] or list(prf.values())
    macro = {key: np.mean([s[key] for s in present]) for key in ("precision", "recall", "f1")}
    lines.append(
        f"{'macro avg':<{name_w}}  {macro['precision']:9.3f}  {macro['recall']:6.3f}  "
        f"{macro['f1']:5.3f}  {int(cm.sum()):7d}"
    )
    count_w = len(str(int(cm.max(initial=0))))
    widths = [max(count_w, len(label)) for label in labels]
    lines += ["", "Confusion matrix (rows: true, columns: predicted)"]
    lines.append(" " * name_w + "".join(f"  {lab:>{w}}" for lab, w in zip(labels, widths, strict=True)))
    for label, row in zip(labels, cm, strict=True):
        lines.append(f"{label:<{name_w}}" + "".join(f"  {int(v):>{w}}" for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines).lstrip("\n")


def save_confusion_png(confusion: np.ndarray, labels: Sequence[str], path: str | Path) -> Path:
    """Draws the confusion matrix as a PNG with OpenCV.

    Cells are shaded by their share of the row (recall-normalised, so a rare
    class is as visible as a common one), hold the raw count, and the axes carry
    the label names: true labels down the left, predicted labels up the top.

    Args:
        confusion: (k, k) counts, rows true, columns predicted.
        labels: the k class names.
        path: the image file to write (.png).

    Returns:
        The path written.
    """
    import cv2

    cm = np.asarray(confusion, dtype=np.int64)
    per_class_prf(cm, labels)  # validates the shape against the labels
    k = len(labels)
    font, scale, thick = cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1
    text_w = max(cv2.getTextSize(label, font, scale, thick)[0][0] for label in labels)
    cell = max(48, cv2.getTextSize(str(int(cm.max(initial=0))), font, scale, thick)[0][0] + 16)
    margin = text_w + 40  # room for the labels plus the axis title
    img = np.full((margin + k * cell + 10, margin + k * cell + 10, 3), 255, np.uint8)
    share = _ratio(cm.astype(np.float64), cm.sum(axis=1, keepdims=True).astype(np.float64))
    for i in range(k):
        for j in range(k):
            y0, x0 = margin + i * cell, margin + j * cell
            # White to a deep blue (BGR) as the row share goes from 0 to 1.
            color = tuple(int(255 - share[i, j] * (255 - c)) for c in (140, 60, 20))
            cv2.rectangle(img, (x0, y0), (x0 + cell, y0 + cell), color, -1)
            cv2.rectangle(img, (x0, y0), (x0 + cell, y0 + cell), (160, 160, 160), 1)
            count = str(int(cm[i, j]))
            (tw, th), _ = cv2.getTextSize(count, font, scale, thick)
            ink = (255, 255, 255) if share[i, j] > 0.5 else (0, 0, 0)
            cv2.putText(img, count, (x0 + (cell - tw) // 2, y0 + (cell + th) // 2), font, scale,
                        ink, thick, cv2.LINE_AA)
    # Column labels are drawn on a strip and rotated a quarter turn: the strip's
    # rows become the grid's columns, and the text reads bottom-up from the grid.
    strip = np.full((cell * k, margin, 3), 255, np.uint8)
    for idx, label in enumerate(labels):
        y = margin + idx * cell + (cell + 10) // 2  # row labels, left of the grid
        cv2.putText(img, label, (24, y), font, scale, (0, 0, 0), thick, cv2.LINE_AA)
        cv2.putText(strip, label, (8, idx * cell + (cell + 10) // 2), font, scale, (0, 0, 0), thick, cv2.LINE_AA)
    img[:margin, margin:margin + k * cell] = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
    cv2.putText(img, "predicted", (margin, 14), font, 0.45, (90, 90, 90), thick, cv2.LINE_AA)
    true_title = np.full((18, 60, 3), 255, np.uint8)
    cv2.putText(true_title, "true", (2, 13), font, 0.45, (90, 90, 90), thick, cv2.LINE_AA)
    img[margin:margin + 60, :18] = cv2.rotate(true_title, cv2.ROTATE_90_COUNTERCLOCKWISE)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), img):
        raise OSError(f"{out}: could not write the confusion matrix image. Use a .png path.")
    return out
