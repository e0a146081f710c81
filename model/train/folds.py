"""The one train-and-score loop: train on some groups, test on the others, pool the scores.

Cross-validation (`actionlens train --cv`), the architecture comparison and
leave-one-source-out all run folds through `run_folds`, so every figure in a
model card is computed the same way.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

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


def leave_one_source_out(clips: Sequence[Clip], config: ModelConfig, settings,
                         only: Sequence[str] | None = None, probs_path: str | Path | None = None) -> dict:
    """Trains without each whole source (dataset: its rooms and cameras) and tests on it.

    Each fold's model knows only the labels its training sources have; the held-out
    source's other clips are what it must call "unknown". The unknown threshold is
    calibrated on the held-out predictions: each fold is reported at the threshold
    chosen on the *other* folds (so no fold grades itself), and the overall threshold,
    chosen on all of them, is what a model trained on everything should use.

    Args:
        clips: (record, uint8 frames (t, size, size, c)) pairs from at least 2 datasets.
        config: the model to build; its labels are narrowed per fold.
        settings: a `TrainSettings`; folds train quietly.
        only: hold out just these sources (the rest still train every fold).
        probs_path: where to keep every fold's held-out window probabilities
            (`model.eval.fold_probs`), so another threshold or decision rule can be
            scored without training the folds again; None keeps nothing.

    Returns:
        {"threshold", "folds": [per-source open-set report with "source",
        "threshold" and "trained_on" ({label: training clips} for each label the
        fold knows and the source has clips of)], "pooled": pooled known-clip
        accuracy and false-alarm rate}.

    Raises:
        DatasetError: fewer than 2 datasets.
    """
    from model.eval.open_set import calibrate, open_set_report, pool_open_set, window_probs
    from model.train.classifier import train_classifier

    sources = sorted({getattr(r, "dataset", "") or "all" for r, _ in clips})
    if len(sources) < 2:
        raise DatasetError(f"leave-one-source-out needs clips of at least 2 datasets. Received: {sources}")
    quiet = dataclasses.replace(settings, verbose=0, logdir=None)
    held_out, trained_on = [], []
    tested = [s for s in sources if not only or s in only]
    if not tested:
        raise DatasetError(f"`--loso-sources` {' '.join(only)} matches no dataset. Known: {sources}")
    sources = tested
    for n, source in enumerate(sources, 1):
        train = [(r, c) for r, c in clips if (getattr(r, "dataset", "") or "all") != source]
        test = [(r, c) for r, c in clips if (getattr(r, "dataset", "") or "all") == source]
        seen = {r.label for r, _ in train}
        labels = tuple(x for x in config.labels if x in seen or x == config.idle_label)
        cfg = config.replace(
            labels=labels,
            symmetric_labels=tuple(s for s in config.symmetric_labels if s in labels),
            background_label=config.background_label if config.background_label in labels else "",
        )
        print(f"source {n}/{len(sources)}: holding out {source} ({len(test)} clips); "
              f"training on {len(train)} clips of {', '.join(labels)}", file=sys.stderr)
        model, _ = train_classifier(train, cfg, quiet)
        probs, ids = window_probs(model, cfg, test)
        held_out.append((probs, ids, [r for r, _ in test], cfg))
        # How much each tested action was learnt from: one clip of a class from other rooms is not a class.
        tested_labels = {r.label for r, _ in test} & set(labels) - {cfg.background_label, cfg.idle_label}
        trained_on.append({x: sum(1 for r, _ in train if r.label == x) for x in sorted(tested_labels)})
    if probs_path is not None:
        from model.eval.fold_probs import save_fold_probs

        try:
            save_fold_probs(probs_path, sources, held_out)
        except OSError as err:
            # The folds took minutes each; their figures still go into the bundle.
            print(f"warning: could not keep the folds' probabilities in {probs_path} ({err})", file=sys.stderr)
    reports = []
    for i, (source, fold) in enumerate(zip(sources, held_out, strict=True)):
        others = held_out[:i] + held_out[i + 1:]
        report = open_set_report(*fold, threshold=calibrate(others))
        reports.append({"source": source, **report, "trained_on": trained_on[i]})
        known = report["known_clip_accuracy"]
        alarms = report["false_alarm_rate"]
        print(f"  {source}: known clips {'-' if known is None else f'{known:.0%}'} of {report['known_clips']}, "
              f"false alarms {'-' if alarms is None else f'{alarms:.0%}'} of {report['none_windows']} windows",
              file=sys.stderr)
    return {"threshold": calibrate(held_out), "folds": reports, "pooled": pool_open_set(reports)}
