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
    """Window and clip accuracy, per-class figures and the confusion matrix of a pixel classifier.

    Args:
        classifier: the model, (batch, time, h, w, c) -> (batch, classes).
        config: its config (labels, T).
        clips: (record, frames uint8 (t, h, w, c)) pairs, each of one of the model's labels.
        stride: window stride in model frames.

    Returns:
        `closed_set_report` of the clips' windows.

    Raises:
        DatasetError: a clip's label is not one of the model's.
    """
    from model.data.pipeline import make_eval_windows

    records = [r for r, _ in clips]
    label_indices(records, config)  # refuses a label the model does not know, naming it
    x, _, clip_ids = make_eval_windows([(c, r.label) for r, c in clips], config, stride=stride)
    return closed_set_report(predict_windows(classifier, x), clip_ids, records, config)


def closed_set_report(probs: np.ndarray, clip_ids: np.ndarray, records: Sequence, config: ModelConfig) -> dict:
    """Closed-set figures from window probabilities: the top class always counts.

    Pixel and pose bundles both come here with their windows' probabilities, so the two
    are scored alike. Clips whose label is not one of the model's are left out (the
    open-set figures score them); a window's decision is the argmax over all of the
    model's labels, a clip's the argmax of its windows' mean.

    Args:
        probs: (n, classes) window probabilities.
        clip_ids: (n,) index into `records` of each window's clip.
        records: the clips' records (their `label`, `path`, `group`, `dataset`).
        config: the model's config (labels).

    Returns:
        A JSON-ready dict with keys clip_accuracy, window_accuracy, labels,
        confusion (rows true, columns predicted, over clips), window_confusion,
        per_class (over clips), clips (per-clip rows) and windows (count).
    """
    from model.eval.metrics import accuracy, clip_predictions, confusion_matrix, per_class_prf

    index = {name: i for i, name in enumerate(config.labels)}
    y_record = np.array([index.get(r.label, -1) for r in records], np.int64)
    clip_ids = np.asarray(clip_ids, np.int64).reshape(-1)
    mine = y_record[clip_ids] >= 0 if len(clip_ids) else np.zeros(0, bool)
    probs, clip_ids = np.asarray(probs)[mine], clip_ids[mine]
    y_win = y_record[clip_ids]
    win_pred = probs.argmax(-1)
    k = config.num_classes
    ids, clip_probs = clip_predictions(probs.reshape(-1, k), clip_ids)
    clip_pred = clip_probs.argmax(-1)
    y_true = y_record[ids.astype(np.int64)]
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
            "window_accuracy": round(float(np.mean(win_pred[clip_ids == cid] == y_record[int(cid)])), 4),
        })
    return {
        "clip_accuracy": float(accuracy(y_true, clip_pred)),
        "window_accuracy": float(accuracy(y_win, win_pred)),
        "labels": list(config.labels),
        "confusion": confusion.tolist(),
        "window_confusion": confusion_matrix(y_win, win_pred, k).tolist(),
        "per_class": per_class_prf(confusion, list(config.labels)),
        "clips": rows,
        "windows": int(len(probs)),
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
