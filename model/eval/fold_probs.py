"""The window probabilities of leave-one-source-out folds, kept beside the bundle.

Training the folds is the expensive part of an open-set measurement (minutes per
source); scoring them at another threshold or with another decision rule takes
milliseconds. `actionlens train --loso` therefore writes every fold's held-out
probabilities to `loso_probs.npz`, and `load_fold_probs` gives them back in the
form `model.eval.open_set.calibrate` and `open_set_report` take.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.errors import DatasetError

FOLD_PROBS_FILE = "loso_probs.npz"

Fold = tuple[np.ndarray, np.ndarray, Sequence, ModelConfig]  # (probs, clip_ids, records, config)


def save_fold_probs(path: str | Path, sources: Sequence[str], folds: Sequence[Fold]) -> Path:
    """Writes each fold's held-out window probabilities to one .npz file.

    Args:
        path: the file to write (written under a temporary name, then renamed).
        sources: the held-out source of each fold.
        folds: (probs (n, classes), clip_ids (n,), records, config) per fold, as
            `leave_one_source_out` collects them; classes differ between folds.

    Returns:
        The path written.
    """
    path = Path(path)
    arrays = {}
    meta = []
    for i, (source, (probs, ids, records, config)) in enumerate(zip(sources, folds, strict=True)):
        arrays[f"probs_{i}"] = np.asarray(probs, np.float32)
        arrays[f"clip_ids_{i}"] = np.asarray(ids, np.int32)
        meta.append({
            "source": source,
            "config": config.to_dict(),
            "records": [{"path": str(r.path), "label": r.label, "group": getattr(r, "group", ""),
                         "dataset": getattr(r, "dataset", "")} for r in records],
        })
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)
    tmp = path.with_name(path.name + ".tmp.npz")
    try:
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _checked(probs: np.ndarray, ids: np.ndarray, records: list, config: ModelConfig) -> Fold:
    """The fold, if its arrays fit each other; else ValueError saying what did not."""
    if probs.ndim != 2 or probs.shape[1] != len(config.labels):
        raise ValueError(f"probabilities of shape {probs.shape}, expected (windows, {len(config.labels)})")
    if ids.shape != (probs.shape[0],):
        raise ValueError(f"{ids.shape} clip ids for {probs.shape[0]} windows")
    if ids.size and (ids.min() < 0 or ids.max() >= len(records)):
        raise ValueError(f"clip ids outside the {len(records)} clips")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probabilities that are not finite")
    return probs, ids, records, config


def load_fold_probs(path: str | Path) -> tuple[list[str], list[Fold]]:
    """Reads what `save_fold_probs` wrote.

    Returns:
        (sources, folds): folds as (probs (n, classes), clip_ids (n,), records, config).

    Raises:
        DatasetError: the file is missing or is not a fold-probabilities file.
    """
    path = Path(path)
    try:
        with np.load(path) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            arrays = {k: data[k] for k in data.files if k != "meta"}
        sources, folds = [], []
        for i, fold in enumerate(meta):
            records = [ClipRecord(Path(r["path"]), r["label"], r["group"], r["dataset"]) for r in fold["records"]]
            sources.append(fold["source"])
            folds.append(_checked(arrays[f"probs_{i}"], arrays[f"clip_ids_{i}"], records,
                                  ModelConfig.from_dict(fold["config"])))
    except (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as err:
        raise DatasetError(
            f"{path} is not a leave-one-source-out probabilities file ({type(err).__name__}: {err}); "
            f"`actionlens train --loso` writes one as {FOLD_PROBS_FILE} in the bundle."
        ) from None
    return sources, folds


def threshold_curve(folds: Sequence[Fold]) -> list[dict]:
    """Known clips named and false alarms, all folds pooled, at each calibration threshold.

    Args:
        folds: (probs, clip_ids, records, config) per held-out source.

    Returns:
        [{"threshold", "known_clip_accuracy", "false_alarm_rate"}] for every threshold in
        `model.eval.open_set.THRESHOLDS`, lowest first; a rate is None where the folds
        have no clip of its kind.
    """
    from model.eval.open_set import THRESHOLDS, open_set_report, pool_open_set

    curve = []
    for t in THRESHOLDS:
        pooled = pool_open_set([open_set_report(*fold, threshold=float(t)) for fold in folds])
        curve.append({"threshold": float(t), "known_clip_accuracy": pooled["known_clip_accuracy"],
                      "false_alarm_rate": pooled["false_alarm_rate"]})
    return curve
