"""`actionlens train`: a classifier bundle from your own clips.

Splits are always by group (person): with `--holdout-groups` those groups are
kept out of training, out of cross-validation and out of picking an epoch, and
are only reported; with `--cv` every other group is held out once
(leave-one-group-out) before the final model is trained on all of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import date
from pathlib import Path

from model.config import ARCHITECTURES, ModelConfig
from model.dataset import DatasetError


def main(args: argparse.Namespace) -> int:
    """Runs `actionlens train`; returns the exit code."""
    return train_main(args)


def _load(args, config: ModelConfig | None, records=None):
    from model.clip_cache import ClipCache
    from model.dataset import load_dataset, load_records

    records = records if records is not None else load_records(args.data)
    cache = ClipCache(args.cache) if getattr(args, "cache", None) else ClipCache()
    clips, warnings = load_dataset(records, config, cache)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    return clips


def check_train_args(args: argparse.Namespace) -> None:
    """Fails fast, before any data is read, on options no training run can use.

    Raises:
        DatasetError: an unknown `--arch` or a count that is not positive.
    """
    if args.arch not in ARCHITECTURES:
        raise DatasetError(
            f"`--arch` must be one of {', '.join(ARCHITECTURES)}. Received: --arch {args.arch}"
        )
    for name in ("frames", "epochs", "steps", "batch", "predictor_epochs"):
        value = getattr(args, name, 1)
        if value < 1:
            raise DatasetError(f"`--{name.replace('_', '-')}` must be at least 1. Received: {value}")


def build_config(args: argparse.Namespace, labels: list[str]) -> ModelConfig:
    """The ModelConfig a train command asks for; bad values become one-line errors."""
    check_train_args(args)
    if not args.no_idle and "idle" not in labels:
        labels = ["idle", *labels]
    if args.symmetric is None:
        symmetric = labels
    else:
        unknown = sorted(set(args.symmetric) - set(labels))
        if unknown:
            raise DatasetError(
                f"`--symmetric` names label(s) the data does not have: {', '.join(unknown)}. "
                f"Known labels: {', '.join(labels)}"
            )
        symmetric = [s for s in labels if s in args.symmetric]
    try:
        return ModelConfig(
            labels=tuple(labels), frames=args.frames, min_frames=min(4, args.frames),
            max_frames=max(32, args.frames), size=args.size, color=args.color, fps=args.fps,
            arch=args.arch, symmetric_labels=tuple(symmetric), idle_label="" if args.no_idle else "idle",
            motion=not getattr(args, "no_motion", False),
        )
    except ValueError as err:  # e.g. --size 4 or --fps 0: the config's own message says which
        raise DatasetError(f"bad training option: {err}") from None


def _read_notes(path: str | None) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(
            f"`--card-notes` must be a readable Markdown file. Received: {path} ({err})"
        ) from None


def _check_out(out: Path) -> None:
    from app.event_log import OutputError

    # Checked before training, so a typo does not cost a whole run.
    if out.exists() and not out.is_dir():
        raise OutputError(f"Cannot write the bundle to {out}: it is a file; give a folder.")


def train_main(args: argparse.Namespace) -> int:
    """Trains a classifier bundle on `args.data` into `args.out` (see the module docstring)."""
    from model.bundle import save_bundle
    from model.dataset import labels_of, load_records
    from model.evaluate import evaluate_classifier
    from model.model_card import render_model_card
    from model.splits import holdout_split
    from model.train import TrainSettings, interrupt_note, train_classifier
    from model.windows import check_window_fits

    check_train_args(args)
    out = Path(args.out)
    _check_out(out)
    notes = _read_notes(getattr(args, "card_notes", None))
    records = load_records(args.data)
    config = build_config(args, labels_of(records))
    print(f"config: {config.summary()}", file=sys.stderr)
    clips = _load(args, config, records)
    labels = labels_of([r for r, _ in clips])
    if len(labels) < 2:
        raise DatasetError(
            f"{args.data}: only one class ({labels[0]}) has clips that could be loaded; "
            "training needs at least two. Fix or replace the skipped files."
        )
    if len(labels) < len(labels_of(records)):
        # A class whose every file was skipped would be a label the model never saw.
        keep = [name for name in config.labels if name in labels or name == config.idle_label]
        config = config.replace(labels=tuple(keep),
                                symmetric_labels=tuple(s for s in config.symmetric_labels if s in keep))
        print(f"config: {config.summary()} (classes without usable clips left out)", file=sys.stderr)
    check_window_fits([len(c) for _, c in clips], config.frames, config.fps)
    settings = TrainSettings(
        epochs=args.epochs, steps=args.steps, batch=args.batch, seed=args.seed,
        strategy=args.strategy, logdir=args.logdir,
        # With --no-idle there is no idle class to label synthetic idle windows with.
        idle_fraction=0.0 if args.no_idle else TrainSettings.idle_fraction,
    )
    metrics: dict = {"trained": str(date.today()), "command": " ".join(["actionlens", *sys.argv[1:]])}
    if notes:
        metrics["card_notes"] = notes  # kept so train-predictor can re-render the card
    if args.holdout_groups:
        _, test = holdout_split([r for r, _ in clips], args.holdout_groups)
    else:
        test = []
    test_set = {id(r) for r in test}
    train_clips = [(r, c) for r, c in clips if id(r) not in test_set]
    test_clips = [(r, c) for r, c in clips if id(r) in test_set]
    if args.cv:
        metrics["cv"] = cross_validate(train_clips, config, settings, args.cv_datasets)

    def save(model, epoch, logs):
        interim = {**metrics, "epoch": epoch + 1}
        save_bundle(out, config, model, metrics=interim,
                    model_card=render_model_card(config, interim, notes=notes))

    started = time.monotonic()
    with interrupt_note(out):
        # No val_clips: choosing the epoch by the held-out groups would make their score optimistic.
        model, _ = train_classifier(train_clips, config, settings, on_epoch_end=save)
    metrics["train_seconds"] = round(time.monotonic() - started, 1)
    metrics["params"] = int(model.count_params())
    if test_clips:
        metrics["holdout"] = evaluate_classifier(model, config, test_clips)
        print(f"held-out clip accuracy {metrics['holdout']['clip_accuracy']:.1%}, "
              f"window accuracy {metrics['holdout']['window_accuracy']:.1%}")
    predictor = None
    if getattr(args, "predictor", False):
        predictor = _attach_predictor(args, config, [c for _, c in train_clips], metrics,
                                      test_clips=[c for _, c in test_clips])
    save_bundle(out, config, model, predictor=predictor, metrics=metrics,
                model_card=render_model_card(config, metrics, notes=notes))
    print(f"wrote {out}")
    return 0


def cross_validate(clips, config: ModelConfig, settings, datasets: list[str] | None = None) -> dict:
    """Leave-one-group-out: for each group, train on the rest and test on it.

    Args:
        clips: (record, frames uint8 (t, size, size, c)) pairs, from at least 2 groups.
        config: the model to build in every fold.
        settings: a `TrainSettings`; folds train quietly and without TensorBoard.
        datasets: only fold over groups that have clips of these datasets.

    Returns:
        {"folds": [...], "per_dataset": {name: {"clip_accuracy", "window_accuracy", "clips",
        "windows", "groups"}}}; a clip without a dataset name counts under "all".

    Raises:
        DatasetError: fewer than 2 groups, or `datasets` matches no group.
    """
    from model.evaluate import evaluate_classifier
    from model.splits import leave_one_group_out
    from model.train import train_classifier

    records = [r for r, _ in clips]
    folds = leave_one_group_out(records)
    if datasets:
        folds = [f for f in folds if any(getattr(r, "dataset", "") in datasets for r in f[2])]
        if not folds:
            known = sorted({getattr(r, "dataset", "") for r in records})
            raise DatasetError(
                f"`--cv-datasets` {' '.join(datasets)} matches no clip. Known datasets: {known}"
            )
    by_id = {id(r): c for r, c in clips}
    fold_settings = dataclasses.replace(settings, verbose=0, logdir=None)
    results = []
    for n, (group, train, test) in enumerate(folds, 1):
        print(f"fold {n}/{len(folds)}: holding out {group}", file=sys.stderr)
        train_clips = [(r, by_id[id(r)]) for r in train]
        test_clips = [(r, by_id[id(r)]) for r in test]
        model, _ = train_classifier(train_clips, config, fold_settings)
        report = evaluate_classifier(model, config, test_clips)
        print(f"  clip accuracy {report['clip_accuracy']:.1%}, window accuracy {report['window_accuracy']:.1%}",
              file=sys.stderr)
        results.append({"group": group, "dataset": getattr(test[0], "dataset", "") or "all", **report})
    return {"folds": results, "per_dataset": summarize_folds(results)}


def summarize_folds(folds: list[dict]) -> dict:
    """Pools fold results per dataset: clip and window accuracy weighted by count."""
    out: dict = {}
    for name in sorted({f["dataset"] for f in folds}):
        rows = [f for f in folds if f["dataset"] == name]
        clips = sum(len(f["clips"]) for f in rows)
        windows = sum(f["windows"] for f in rows)
        out[name] = {
            "clip_accuracy": sum(f["clip_accuracy"] * len(f["clips"]) for f in rows) / max(clips, 1),
            "window_accuracy": sum(f["window_accuracy"] * f["windows"] for f in rows) / max(windows, 1),
            "clips": clips,
            "windows": windows,
            "groups": len(rows),
        }
    return out


def _attach_predictor(args, config: ModelConfig, clips, metrics: dict, test_clips=()):
    from model.evaluate import evaluate_predictor, next_frame_pairs
    from model.train_predictor import to_gray, train_predictor

    gray = to_gray(clips)
    predictor, _ = train_predictor(gray, config, epochs=args.predictor_epochs, steps=args.steps,
                                   batch=args.batch, seed=args.seed)
    # Scored on the held-out groups when there are any, like the classifier.
    scored = to_gray(test_clips) if test_clips else gray
    report = evaluate_predictor(predictor, *next_frame_pairs(scored, config.predictor_frames))
    groups = sorted({r.group for r, _ in test_clips})
    split = f"held-out groups ({', '.join(groups)})" if test_clips else "training clips"
    metrics["predictor"] = {**report, "split": split}
    return predictor
