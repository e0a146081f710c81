"""Evaluation figures: classification scores and image quality.

Plain numpy, so evaluation code and tests can use it without loading TensorFlow.
How the scores are shown (a text table, a confusion-matrix PNG) lives in
model/eval/report.py, which imports this module (never the other way round).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "SSIM_K1",
    "SSIM_K2",
    "SSIM_SIGMA",
    "SSIM_WINDOW",
    "accuracy",
    "clip_predictions",
    "confusion_matrix",
    "gaussian_window",
    "mse",
    "per_class_prf",
    "psnr",
    "ssim",
]

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


def psnr(a, b, data_range: float = 1.0, max_db: float | None = None) -> float:
    """Peak signal-to-noise ratio in dB.

    Computed per image, 10 * log10(data_range**2 / mse_i), then averaged over
    the batch, so one bad frame is not hidden by pooling its error with the
    rest. An identical pair scores inf, and so does the batch mean then,
    unless `max_db` caps each image's score.

    Args:
        a: (n, h, w, c) images, floats in [0, data_range].
        b: the same shape.
        data_range: the largest possible pixel value (1.0 for [0, 1] floats).
        max_db: if given, each image's PSNR is at most this (a report on real
            footage, where a still scene makes copy-last exact, stays finite).
    """
    a, b = _pair(a, b)
    per_image = np.mean((a - b) ** 2, axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        scores = 10.0 * np.log10(data_range**2 / per_image)
    if max_db is not None:
        scores = np.minimum(scores, max_db)
    return float(np.mean(scores))


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
