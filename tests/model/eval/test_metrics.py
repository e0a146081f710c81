"""Classification scores on hand-counted examples, and PSNR/SSIM on known cases."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from model.eval.metrics import (
    accuracy,
    clip_predictions,
    confusion_matrix,
    mse,
    per_class_prf,
    psnr,
    ssim,
)
from model.eval.report import format_table, save_confusion_png

LABELS = ("idle", "wave", "walk")
# true:  idle idle idle wave wave walk
# pred:  idle wave idle wave walk walk
Y_TRUE = [0, 0, 0, 1, 1, 2]
Y_PRED = [0, 1, 0, 1, 2, 2]


def test_confusion_rows_are_true_labels():
    cm = confusion_matrix([0, 0, 1], [1, 1, 1], 3)
    assert cm.dtype.kind == "i"
    # Two idle clips predicted as wave: row 0 (true idle), column 1 (predicted wave).
    assert cm[0, 1] == 2 and cm[1, 0] == 0
    assert cm[1, 1] == 1 and cm.sum() == 3


def test_confusion_rejects_probabilities_and_bad_shapes():
    with pytest.raises(ValueError, match="argmax"):
        confusion_matrix([0, 1], [0, 3], 3)
    with pytest.raises(ValueError, match="same number"):
        confusion_matrix([0, 1], [0], 3)


def test_prf_on_hand_counted_example():
    prf = per_class_prf(confusion_matrix(Y_TRUE, Y_PRED, 3), LABELS)
    # idle: 2 of 3 recalled, both idle predictions right.
    assert prf["idle"] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3})
    # wave: predicted twice, one right; 1 of 2 recalled.
    assert prf["wave"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    # walk: predicted twice, one right; its one clip recalled.
    assert prf["walk"] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1})
    assert isinstance(prf["walk"]["support"], int)


def test_prf_is_zero_where_undefined():
    prf = per_class_prf(confusion_matrix([0, 0], [0, 0], 2), ("a", "b"))
    assert prf["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_accuracy():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert accuracy([], []) == 0.0


def test_clip_predictions_average_windows_per_clip():
    probs = np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    ids, means = clip_predictions(probs, ["b", "a", "b", "a", "c"])
    assert list(ids) == ["a", "b", "c"]
    np.testing.assert_allclose(means, [[0.3, 0.7], [0.6, 0.4], [0.5, 0.5]])


def test_psnr_of_known_mse():
    a = np.zeros((2, 8, 8, 1))
    b = np.stack([np.full((8, 8, 1), 0.1), np.full((8, 8, 1), 0.01)])
    assert mse(a[:1], b[:1]) == pytest.approx(0.01)
    # Per image: 20 dB and 40 dB, then averaged.
    assert psnr(a, b) == pytest.approx(30.0)
    assert psnr(a[:1] * 255, b[:1] * 255, data_range=255) == pytest.approx(20.0)
    assert psnr(b, b) == np.inf


def _ssim_reference(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """Wang et al.'s formula, written out window by window for one (h, w) image."""
    r = np.arange(11) - 5
    w = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * 1.5**2))
    w /= w.sum()
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    scores = []
    for y in range(a.shape[0] - 10):
        for x in range(a.shape[1] - 10):
            pa, pb = a[y:y + 11, x:x + 11], b[y:y + 11, x:x + 11]
            ma, mb = (w * pa).sum(), (w * pb).sum()
            va, vb = (w * (pa - ma) ** 2).sum(), (w * (pb - mb) ** 2).sum()
            cov = (w * (pa - ma) * (pb - mb)).sum()
            scores.append(((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma**2 + mb**2 + c1) * (va + vb + c2)))
    return float(np.mean(scores))


def test_ssim_matches_reference_per_channel():
    rng = np.random.default_rng(0)
    a = rng.random((2, 14, 15, 2))
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1)
    expected = np.mean([_ssim_reference(a[i, :, :, c], b[i, :, :, c]) for i in range(2) for c in range(2)])
    assert ssim(a, b) == pytest.approx(expected, abs=1e-10)


def test_ssim_properties():
    rng = np.random.default_rng(1)
    # A smooth image, so SSIM has structure to lose.
    yy, xx = np.mgrid[0:32, 0:32]
    img = (0.5 + 0.4 * np.sin(xx / 4.0) * np.cos(yy / 5.0))[None, :, :, None]
    assert ssim(img, img) == pytest.approx(1.0)
    light = np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1)
    heavy = np.clip(img + rng.normal(0, 0.2, img.shape), 0, 1)
    assert 0 < ssim(img, heavy) < ssim(img, light) < 0.99
    assert ssim(img, light) == pytest.approx(ssim(light, img))
    with pytest.raises(ValueError, match="batches"):
        ssim(img[0], img[0])
    with pytest.raises(ValueError, match="at least 11x11"):
        ssim(img[:, :8, :8], img[:, :8, :8])


def test_format_table_names_labels_and_figures():
    cm = confusion_matrix(Y_TRUE, Y_PRED, 3)
    text = format_table(cm, LABELS, clip_accuracy=4 / 6, window_accuracy=0.5)
    assert "Clip accuracy:   0.667" in text and "Window accuracy: 0.500" in text
    lines = text.splitlines()
    assert any(line.split() == ["idle", "1.000", "0.667", "0.800", "3"] for line in lines)
    header = lines.index("Confusion matrix (rows: true, columns: predicted)")
    assert lines[header + 1].split() == list(LABELS)
    assert lines[header + 2].split() == ["idle", "2", "1", "0"]


def test_confusion_png_is_drawn(tmp_path):
    cm = confusion_matrix(Y_TRUE, Y_PRED, 3)
    path = save_confusion_png(cm, LABELS, tmp_path / "out" / "cm.png")
    img = cv2.imread(str(path))
    assert img is not None and min(img.shape[:2]) > 150
    # Shaded cells and dark counts on a mostly white canvas.
    assert img.mean() < 250 and img.min() < 100


def test_macro_average_skips_labels_the_data_does_not_hold():
    from model.eval.report import format_table

    # "idle" has no clips here; a perfect classifier of the rest averages 1.0, not 2/3.
    cm = np.array([[0, 0, 0], [0, 4, 0], [0, 0, 5]])
    macro = [line for line in format_table(cm, ["idle", "a", "b"]).splitlines() if line.startswith("macro")]
    assert macro and macro[0].split()[2:5] == ["1.000", "1.000", "1.000"]
