"""`actionlens train` and `actionlens train-predictor`: bundles from your own clips.

Splits are always by group (person): with `--holdout-groups` those groups are
kept out of training and reported; with `--cv` every group is held out once
(leave-one-group-out) before the final model is trained on everything.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from model.config import ARCHITECTURES, ModelConfig
from model.dataset import DatasetError


def main(args: argparse.Namespace) -> int:
    if args.command == "train-predictor":
        return train_predictor_main(args)
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


def build_config(args: argparse.Namespace, labels: list[str]) -> ModelConfig:
    """The ModelConfig a train command asks for; bad values become one-line errors."""
    if args.arch not in ARCHITECTURES:
        raise DatasetError(f"--arch {args.arch!r} is unknown; choose one of {', '.join(ARCHITECTURES)}")
    if not args.no_idle and "idle" not in labels:
        labels = ["idle", *labels]
    symmetric = labels if args.symmetric is None else [s for s in args.symmetric if s in labels]
    return ModelConfig(
        labels=tuple(labels), frames=args.frames, min_frames=min(4, args.frames),
        max_frames=max(32, args.frames), size=args.size, color=args.color, fps=args.fps,
        arch=args.arch, symmetric_labels=tuple(symmetric), idle_label="" if args.no_idle else "idle",
    )


def train_main(args: argparse.Namespace) -> int:
    from model.bundle import save_bundle
    from model.dataset import labels_of, load_records
    from model.evaluate import evaluate_classifier
    from model.model_card import render_model_card
    from model.splits import holdout_split
    from model.train import TrainSettings, interrupt_note, train_classifier
    from model.windows import check_window_fits

    records = load_records(args.data)
    labels = labels_of(records)
    if len(labels) < 2:
        raise DatasetError(f"{args.data}: only one class ({labels[0]}); training needs at least two")
    config = build_config(args, labels)
    print(f"config: {config.summary()}", file=sys.stderr)
    clips = _load(args, config, records)
    check_window_fits([len(c) for _, c in clips], config.frames, config.fps)
    settings = TrainSettings(epochs=args.epochs, steps=args.steps, batch=args.batch, seed=args.seed,
                             strategy=args.strategy, logdir=args.logdir)
    out = Path(args.out)
    metrics: dict = {"trained": str(date.today()), "command": " ".join(["actionlens", *sys.argv[1:]])}
    if args.cv:
        metrics["cv"] = cross_validate(clips, config, settings, args.cv_datasets)
    train, test = holdout_split([r for r, _ in clips], args.holdout_groups) if args.holdout_groups else (None, [])
    test_set = {id(r) for r in test}
    train_clips = [(r, c) for r, c in clips if id(r) not in test_set]
    test_clips = [(r, c) for r, c in clips if id(r) in test_set]

    def save(model, epoch, logs):
        save_bundle(out, config, model, metrics={**metrics, "epoch": epoch + 1},
                    model_card=render_model_card(config, {**metrics, "epoch": epoch + 1}))

    started = time.monotonic()
    with interrupt_note(out):
        model, history = train_classifier(train_clips, config, settings, val_clips=test_clips, on_epoch_end=save)
    metrics["train_seconds"] = round(time.monotonic() - started, 1)
    metrics["params"] = int(model.count_params())
    if test_clips:
        metrics["holdout"] = evaluate_classifier(model, config, test_clips)
        print(f"held-out clip accuracy {metrics['holdout']['clip_accuracy']:.1%}, "
              f"window accuracy {metrics['holdout']['window_accuracy']:.1%}")
    if getattr(args, "predictor", False):
        _attach_predictor(args, config, [c for _, c in train_clips], metrics)
    save_bundle(out, config, model, metrics=metrics, model_card=render_model_card(config, metrics))
    print(f"wrote {out}")
    return 0


def cross_validate(clips, config: ModelConfig, settings, datasets: list[str] | None = None) -> dict:
    """Leave-one-group-out: for each group, train on the rest and test on it.

    Returns:
        {"folds": [...], "per_dataset": {name: {"clip_accuracy", "window_accuracy", "clips", "windows"}}}.
    """
    from model.evaluate import evaluate_classifier
    from model.splits import leave_one_group_out
    from model.train import train_classifier

    records = [r for r, _ in clips]
    folds = leave_one_group_out(records)
    if datasets:
        folds = [f for f in folds if any(getattr(r, "dataset", "") in datasets for r in f[2])]
    by_id = {id(r): c for r, c in clips}
    results = []
    for n, (group, train, test) in enumerate(folds, 1):
        print(f"fold {n}/{len(folds)}: holding out {group}", file=sys.stderr)
        train_clips = [(r, by_id[id(r)]) for r in train]
        test_clips = [(r, by_id[id(r)]) for r in test]
        fold_settings = settings.__class__(**{**settings.__dict__, "verbose": 0, "logdir": None})
        model, _ = train_classifier(train_clips, config, fold_settings)
        report = evaluate_classifier(model, config, test_clips)
        print(f"  clip accuracy {report['clip_accuracy']:.1%}, window accuracy {report['window_accuracy']:.1%}",
              file=sys.stderr)
        results.append({"group": group, "dataset": getattr(test[0], "dataset", ""), **report})
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


def _attach_predictor(args, config: ModelConfig, clips, metrics: dict):
    from model.evaluate import evaluate_predictor, next_frame_pairs
    from model.train_predictor import to_gray, train_predictor

    gray = to_gray(clips)
    predictor, _ = train_predictor(gray, config, epochs=args.predictor_epochs, seed=args.seed)
    metrics["predictor"] = evaluate_predictor(predictor, *next_frame_pairs(gray, config.predictor_frames))
    return predictor


def train_predictor_main(args: argparse.Namespace) -> int:
    """Trains the predictor on clips (held-out groups reported) or on Moving MNIST."""
    from model.bundle import BundleError, load_bundle, save_bundle
    from model.evaluate import evaluate_predictor, next_frame_pairs
    from model.train_predictor import to_gray, train_predictor

    out = Path(args.out)
    try:
        bundle = load_bundle(out, load_predictor=False)
    except BundleError:
        bundle = None
    config = bundle.config if bundle else ModelConfig(labels=("idle", "action"))
    rng = np.random.default_rng(args.seed)
    if args.moving_mnist:
        from model.moving_mnist import load_mnist_images, moving_mnist

        digits = load_mnist_images(_mnist_file(args.moving_mnist))
        train_digits, test_digits = digits[: len(digits) // 2], digits[len(digits) // 2 :]
        train = list(moving_mnist(train_digits, 400, rng=rng)[..., None])
        test = list(moving_mnist(test_digits, 100, rng=rng)[..., None])
        shape = (64, 64, 1)
    else:
        if not args.data:
            raise DatasetError("pass --data CLIPS or --moving-mnist DIGITS_DIR")
        from model.dataset import load_records
        from model.splits import holdout_split

        records = load_records(args.data)
        clips = _load(args, config.replace(color="gray"), records)
        test_groups = set(args.holdout_groups)
        if test_groups:
            holdout_split([r for r, _ in clips], args.holdout_groups)
        train = to_gray([c for r, c in clips if r.group not in test_groups])
        test = to_gray([c for r, c in clips if r.group in test_groups]) or train
        shape = None
    predictor, _ = train_predictor(train, config, epochs=args.epochs, steps=args.steps,
                                   batch=args.batch, seed=args.seed, frame_shape=shape)
    report = evaluate_predictor(predictor, *next_frame_pairs(test, config.predictor_frames))
    name = "moving_mnist" if args.moving_mnist else ("holdout" if args.holdout_groups else "train")
    print(f"next frame ({name}): PSNR {report['psnr']:.2f} dB vs copy-last {report['psnr_copy_last']:.2f} dB; "
          f"MSE {report['mse']:.5f} vs {report['mse_copy_last']:.5f}")
    if bundle is None:
        print(f"{out} holds no classifier; predictor not attached (report above)", file=sys.stderr)
        return 0
    if args.moving_mnist:
        metrics = {**bundle.metrics, "predictor_moving_mnist": report}
        save_bundle(out, config, bundle.classifier, metrics=metrics)
        return 0
    metrics = {**bundle.metrics, "predictor": report}
    save_bundle(out, config, bundle.classifier, predictor=predictor, metrics=metrics)
    print(f"wrote {out / 'predictor.keras'}")
    return 0


def _mnist_file(folder: str) -> Path:
    root = Path(folder)
    path = root / "t10k-images-idx3-ubyte.gz" if root.is_dir() else root
    if not path.is_file():
        raise DatasetError(f"{folder}: no MNIST images (t10k-images-idx3-ubyte.gz) found there")
    return path
