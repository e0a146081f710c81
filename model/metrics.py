"""Evaluation figures: classification scores, image quality, and how to show them.

Plain numpy, so evaluation code and tests can use it without loading TensorFlow;
OpenCV is imported only to draw the confusion matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Wang et al. 2004: an 11x11 Gaussian window of sigma 1.5, K1 = 0.01, K2 = 0.03.
SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts (true, predicted) label pairs.

    Args:
        y_true: (n,) integer labels in [0, num_classes).
        y_pred: (n,) integer predictions in [0, num_classes).
        num_classes: k.

    Returns:
        (k, k) int64 counts; rows are true labels, columns predicted labels.
    """
    t = np.asarray(y_true).reshape(-1)
    p = np.asarray(y_pred).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(
            "`y_true` and `y_pred` must hold the same number of labels. "
            f"Received: {t.size} and {p.size}"
        )
    for name, v in (("y_true", t), ("y_pred", p)):
        if v.size and (v.min() < 0 or v.max() >= num_classes):
            raise ValueError(
                f"`{name}` must hold class indices in [0, {num_classes}). Hint: pass "
                f"`probs.argmax(-1)`, not probabilities. Received: min={v.min()}, max={v.max()}"
            )
    flat = t.astype(np.int64) * num_classes + p.astype(np.int64)
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_prf(confusion: np.ndarray, labels: Sequence[str]) -> dict[str, dict]:
    """Precision, recall, F1 and support of each class.

    Args:
        confusion: (k, k) counts, rows true, columns predicted.
        labels: the k class names.

    Returns:
        {label: {"precision", "recall", "f1", "support"}}; a ratio whose
        denominator is 0 (never predicted, never present) is 0.0.
    """
    cm = np.asarray(confusion, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(labels):
        raise ValueError(
            f"`confusion` must be ({len(labels)}, {len(labels)}), one row and column per label. "
            f"Received: shape={cm.shape}"
        )
    tp = np.diag(cm)
    precision = _ratio(tp, cm.sum(axis=0))
    recall = _ratio(tp, cm.sum(axis=1))
    f1 = _ratio(2 * precision * recall, precision + recall)
    return {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(cm[i].sum()),
        }
        for i, label in enumerate(labels)
    }


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)


def accuracy(y_true, y_pred) -> float:
    """Fraction of equal labels in two (n,) arrays; 0.0 when n is 0."""
    t = np.asarray(y_true).reshape(-1)
    p = np.asarray(y_pred).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(f"`y_true` and `y_pred` must be the same length. Received: {t.size} and {p.size}")
    return float(np.mean(t == p)) if t.size else 0.0


def clip_predictions(window_probs, clip_ids) -> tuple[np.ndarray, np.ndarray]:
    """Averages window probabilities per clip.

    Args:
        window_probs: (n, k) class probabilities, one row per window.
        clip_ids: (n,) the clip each window came from (ints or strings).

    Returns:
        (ids, mean_probs): the m distinct clip ids, sorted, and (m, k) the mean
        of each clip's window probabilities; argmax(-1) gives each clip's label.
    """
    probs = np.asarray(window_probs, dtype=np.float64)
    ids = np.asarray(clip_ids).reshape(-1)
    if probs.ndim != 2 or probs.shape[0] != ids.size:
        raise ValueError(
            "`window_probs` must be (n, classes) with one row per entry of `clip_ids`. "
            f"Received: window_probs.shape={probs.shape}, len(clip_ids)={ids.size}"
        )
    unique, inverse = np.unique(ids, return_inverse=True)
    sums = np.zeros((unique.size, probs.shape[1]))
    np.add.at(sums, inverse, probs)
    return unique, sums / np.bincount(inverse)[:, None]


def mse(a, b) -> float:
    """Mean squared error over every element of two same-shaped arrays."""
    a, b = _pair(a, b, ndim=None)
    return float(np.mean((a - b) ** 2))


def psnr(a, b, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB.

    Computed per image, 10 * log10(data_range**2 / mse_i), then averaged over
    the batch, so one bad frame is not hidden by pooling its error with the
    rest. An identical pair scores inf, and so does the batch mean then.

    Args:
        a: (n, h, w, c) images, floats in [0, data_range].
        b: the same shape.
        data_range: the largest possible pixel value (1.0 for [0, 1] floats).
    """
    a, b = _pair(a, b)
    per_image = np.mean((a - b) ** 2, axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        return float(np.mean(10.0 * np.log10(data_range**2 / per_image)))


def ssim(a, b, data_range: float = 1.0) -> float:
    """Structural similarity (Wang et al. 2004), averaged over channels and batch.

    The local statistics use an 11x11 Gaussian window (sigma 1.5) at every
    position where it fits inside the image (the paper's 'valid' filtering,
    no padding), with K1 = 0.01 and K2 = 0.03. Each channel of each image is
    scored on its own and the scores are averaged.

    Args:
        a: (n, h, w, c) images, floats in [0, data_range], h and w >= 11.
        b: the same shape.
        data_range: the largest possible pixel value (1.0 for [0, 1] floats).

    Returns:
        The mean SSIM: 1.0 for identical images, lower the more they differ.
    """
    a, b = _pair(a, b)
    if min(a.shape[1:3]) < SSIM_WINDOW:
        raise ValueError(
            f"`a` and `b` must be at least {SSIM_WINDOW}x{SSIM_WINDOW} px for SSIM's window. "
            f"Received: shape={a.shape}"
        )
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    mu_a, mu_b = _gauss_valid(a), _gauss_valid(b)
    var_a = _gauss_valid(a * a) - mu_a**2
    var_b = _gauss_valid(b * b) - mu_b**2
    cov = _gauss_valid(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    )
    return float(np.mean(ssim_map))


def gaussian_window(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> np.ndarray:
    """A normalised 1-D Gaussian of `size` taps; its outer product is the 2-D SSIM window."""
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def _gauss_valid(x: np.ndarray) -> np.ndarray:
    # The 2-D Gaussian is separable: filter rows, then columns, keeping only full windows.
    g = gaussian_window()
    x = np.lib.stride_tricks.sliding_window_view(x, g.size, axis=1) @ g
    return np.lib.stride_tricks.sliding_window_view(x, g.size, axis=2) @ g


def _pair(a, b, ndim: int | None = 4) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"`a` and `b` must have the same shape. Received: {a.shape} and {b.shape}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(
            "`a` and `b` must be batches (n, h, w, c). Hint: add a batch axis with x[None] "
            f"and a channel axis with x[..., None]. Received: shape={a.shape}"
        )
    return a, b


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
        macro average, and the labelled confusion matrix.
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
    macro = {key: np.mean([s[key] for s in prf.values()]) for key in ("precision", "recall", "f1")}
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
