"""Honest evaluation: windows and whole clips, per class, and the next-frame predictor.

A clip's prediction is the mean of its window probabilities. The data may
hold only some of the model's labels; the confusion matrix still spans all
of the model's labels, so a window called `idle` shows up as such.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.config import ModelConfig
from model.errors import DatasetError

# Identical frames (a still scene, copy-last) have infinite PSNR; 100 dB keeps means and JSON finite.
PSNR_CAP_DB = 100.0


def label_indices(records: Sequence, config: ModelConfig) -> np.ndarray:
    """Maps each record's label to the model's output index.

    Raises:
        DatasetError: for a label the model does not know.
    """
    index = {name: i for i, name in enumerate(config.labels)}
    unknown = sorted({r.label for r in records if r.label not in index})
    if unknown:
        raise DatasetError(
            f"labels {unknown} are not among the model's labels {list(config.labels)}; "
            "evaluate a model trained on these classes."
        )
    return np.array([index[r.label] for r in records], np.int64)


def predict_windows(classifier, windows: np.ndarray, batch: int = 32) -> np.ndarray:
    """Class probabilities for many windows.

    Args:
        classifier: (batch, time, h, w, c) -> (batch, classes).
        windows: (n, time, h, w, c) float in [0, 1].
        batch: windows per compiled call.

    Returns:
        (n, classes) probabilities.
    """
    out = [np.asarray(classifier.predict_on_batch(windows[i : i + batch])) for i in range(0, len(windows), batch)]
    probs = np.concatenate(out) if out else np.zeros((0, classifier.output.shape[-1]))
    return probs[:, -1] if probs.ndim == 3 else probs


def evaluate_classifier(
    classifier, config: ModelConfig, clips: Sequence[tuple[object, np.ndarray]], stride: int = 4
) -> dict:
    """Window and clip accuracy, per-class figures and the confusion matrix.

    Args:
        classifier: the model, (batch, time, h, w, c) -> (batch, classes).
        config: its config (labels, T).
        clips: (record, frames uint8 (t, h, w, c)) pairs.
        stride: window stride in model frames.

    Returns:
        A JSON-ready dict with keys clip_accuracy, window_accuracy, labels,
        confusion (rows true, columns predicted, over clips), window_confusion,
        per_class (over clips), clips (per-clip rows) and windows (count).
    """
    from model.data.pipeline import make_eval_windows
    from model.eval.metrics import accuracy, clip_predictions, confusion_matrix, per_class_prf

    records = [r for r, _ in clips]
    y_clip = label_indices(records, config)
    x, _, clip_ids = make_eval_windows([(c, r.label) for r, c in clips], config, stride=stride)
    y_win = y_clip[clip_ids]
    probs = predict_windows(classifier, x)
    win_pred = probs.argmax(-1)
    ids, clip_probs = clip_predictions(probs, clip_ids)
    clip_pred = clip_probs.argmax(-1)
    y_true = y_clip[ids]
    k = config.num_classes
    confusion = confusion_matrix(y_true, clip_pred, k)
    rows = []
    for i, cid in enumerate(ids):
        rec = records[int(cid)]
        rows.append({
            "path": str(rec.path),
            "group": rec.group,
            "dataset": getattr(rec, "dataset", ""),
            "label": rec.label,
            "predicted": config.labels[int(clip_pred[i])],
            "confidence": round(float(clip_probs[i].max()), 4),
            "window_accuracy": round(float(np.mean(win_pred[clip_ids == cid] == y_clip[int(cid)])), 4),
        })
    return {
        "clip_accuracy": float(accuracy(y_true, clip_pred)),
        "window_accuracy": float(accuracy(y_win, win_pred)),
        "labels": list(config.labels),
        "confusion": confusion.tolist(),
        "window_confusion": confusion_matrix(y_win, win_pred, k).tolist(),
        "per_class": per_class_prf(confusion, list(config.labels)),
        "clips": rows,
        "windows": int(len(x)),
    }


def next_frame_pairs(clips: Sequence[np.ndarray], context: int, stride: int = 2, gray: bool = True):
    """Cuts (context frames, next frame) pairs out of clips.

    Args:
        clips: uint8 (t, h, w, c) clips at the model's fps.
        context: frames the predictor sees.
        stride: step between pairs, in frames.
        gray: average colour channels to one (the predictor works on gray).

    Returns:
        (inputs (n, context, h, w, c'), targets (n, h, w, c')) float32 in [0, 1].
    """
    xs, ys = [], []
    for clip in clips:
        c = clip.astype(np.float32) / 255.0
        if gray and c.shape[-1] != 1:
            c = c.mean(-1, keepdims=True)
        for s in range(0, len(c) - context, stride):
            xs.append(c[s : s + context])
            ys.append(c[s + context])
    if not xs:
        raise DatasetError(f"no clip is longer than the predictor's {context} context frames")
    return np.stack(xs), np.stack(ys)


def evaluate_predictor(predictor, inputs: np.ndarray, targets: np.ndarray, batch: int = 16) -> dict:
    """Scores next-frame predictions against copying the last input frame.

    Args:
        predictor: (batch, time, h, w, c) -> (batch, h, w, c).
        inputs: (n, time, h, w, c) float in [0, 1].
        targets: (n, h, w, c), the true next frames.

    Returns:
        {"mse", "psnr", "ssim", "mse_copy_last", "psnr_copy_last", "ssim_copy_last", "pairs"}.
    """
    from model.eval.metrics import mse, psnr, ssim

    pred = np.concatenate([
        np.asarray(predictor.predict_on_batch(inputs[i : i + batch])) for i in range(0, len(inputs), batch)
    ])
    last = inputs[:, -1]
    return {
        "mse": float(mse(pred, targets)),
        "psnr": float(psnr(pred, targets, max_db=PSNR_CAP_DB)),
        "ssim": float(ssim(pred, targets)),
        "mse_copy_last": float(mse(last, targets)),
        "psnr_copy_last": float(psnr(last, targets, max_db=PSNR_CAP_DB)),
        "ssim_copy_last": float(ssim(last, targets)),
        "pairs": int(len(inputs)),
    }
