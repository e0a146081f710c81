"""The one train-and-score loop: train on some groups, test on the others, pool the scores.

Cross-validation (`actionlens train --cv`), the architecture comparison and
leave-one-source-out all run folds through `run_folds`, so every figure in a
model card is computed the same way.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence

import numpy as np

from model.config import ModelConfig
from model.errors import DatasetError

Clip = tuple[object, np.ndarray]  # (ClipRecord, uint8 frames (t, size, size, c))


def run_folds(
    clips: Sequence[Clip],
    config: ModelConfig,
    settings,
    folds: Sequence[tuple[str, Sequence, Sequence]],
    label: str = "",
) -> tuple[list[dict], object]:
    """Trains one model per fold and scores it on that fold's held-out records.

    Args:
        clips: (record, uint8 frames (t, size, size, c)) pairs covering every fold's records.
        config: the model to build in every fold.
        settings: a `TrainSettings`; folds train quietly and without TensorBoard.
        folds: (name, train records, test records) triples, e.g. from
            `model.data.splits.leave_one_group_out`.
        label: printed before each fold's line (e.g. the architecture).

    Returns:
        (results, last_model): one `evaluate_classifier` report per fold, with
        "group" (the fold's name) and "dataset" (of its first test clip, or "all")
        added; and the model of the last fold.
    """
    from model.eval.evaluate import evaluate_classifier
    from model.train.classifier import train_classifier

    by_id = {id(r): c for r, c in clips}
    quiet = dataclasses.replace(settings, verbose=0, logdir=None)
    prefix = f"{label}: " if label else ""
    results, model = [], None
    for n, (name, train, test) in enumerate(folds, 1):
        print(f"{prefix}fold {n}/{len(folds)}: holding out {name}", file=sys.stderr)
        model, _ = train_classifier([(r, by_id[id(r)]) for r in train], config, quiet)
        report = evaluate_classifier(model, config, [(r, by_id[id(r)]) for r in test])
        print(f"  clip accuracy {report['clip_accuracy']:.1%}, window accuracy "
              f"{report['window_accuracy']:.1%}", file=sys.stderr)
        results.append({"group": name, "dataset": getattr(test[0], "dataset", "") or "all", **report})
    return results, model


def pool(results: Sequence[dict]) -> dict:
    """Clip and window accuracy over several folds, each weighted by its count.

    Returns:
        {"clip_accuracy", "window_accuracy", "clips", "windows", "groups"}.
    """
    clips = sum(len(f["clips"]) for f in results)
    windows = sum(f["windows"] for f in results)
    return {
        "clip_accuracy": sum(f["clip_accuracy"] * len(f["clips"]) for f in results) / max(clips, 1),
        "window_accuracy": sum(f["window_accuracy"] * f["windows"] for f in results) / max(windows, 1),
        "clips": clips,
        "windows": windows,
        "groups": len(results),
    }


def summarize_folds(results: Sequence[dict]) -> dict:
    """`pool` per dataset: {dataset name: pooled scores}."""
    return {name: pool([f for f in results if f["dataset"] == name])
            for name in sorted({f["dataset"] for f in results})}


def cross_validate(clips: Sequence[Clip], config: ModelConfig, settings,
                   datasets: Sequence[str] | None = None) -> dict:
    """Leave-one-group-out: for each group, train on the rest and test on it.

    Args:
        clips: (record, frames uint8 (t, size, size, c)) pairs, from at least 2 groups.
        config: the model to build in every fold.
        settings: a `TrainSettings`.
        datasets: only fold over groups that have clips of these datasets.

    Returns:
        {"folds": [...], "per_dataset": {name: pooled scores}}; a clip without a
        dataset name counts under "all".

    Raises:
        DatasetError: fewer than 2 groups, or `datasets` matches no group.
    """
    from model.data.splits import leave_one_group_out

    records = [r for r, _ in clips]
    folds = leave_one_group_out(records)
    if datasets:
        folds = [f for f in folds if any(getattr(r, "dataset", "") in datasets for r in f[2])]
        if not folds:
            known = sorted({getattr(r, "dataset", "") for r in records})
            raise DatasetError(
                f"`--cv-datasets` {' '.join(datasets)} matches no clip. Known datasets: {known}"
            )
    results, _ = run_folds(clips, config, settings, folds)
    return {"folds": results, "per_dataset": summarize_folds(results)}
