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

from app.cli.common import (
    build_config,
    check_train_args,
    fit_verbosity,
    load_clips,
    read_notes,
    records_from_args,
)
from model.config import ModelConfig
from model.errors import DatasetError


def main(args: argparse.Namespace) -> int:
    """Runs `actionlens train`; returns the exit code."""
    if _wants_pose(args):
        from app.cli.train_pose import main as pose_main

        _check_from_on_one_machine(args)
        return pose_main(args)
    if getattr(args, "unknown_below", None) is not None:
        # A pixel model's threshold comes from its held-out sources (`--loso`) or the default.
        raise DatasetError("`--unknown-below` needs `--features pose`: drop it, or train on pose.")
    # Only pose windows are cut with a still start, seen at two rates or read by a second head; a
    # pixel model would be fed windows it never saw.
    for option in ("decide_from", "fast_frames", "short_head_frames", "needs_legs", "needs_repeats"):
        if getattr(args, option, 0):
            raise DatasetError(f"`--{option.replace('_', '-')}` needs `--features pose`: drop it, or train on pose.")
    if getattr(args, "from_bundle", None):
        from app.cli.train_from import transfer_main

        _check_from_on_one_machine(args)
        return transfer_main(args)
    from app.cli.workers import worker_scope

    # Joined before any data is read, so an unreachable worker costs seconds, not a dataset load.
    with worker_scope(args) as args:
        return train_main(args)


def _wants_pose(args: argparse.Namespace) -> bool:
    """`--features pose`, or `--from` a pose bundle without `--features`."""
    features = getattr(args, "features", None)
    if features is None and getattr(args, "from_bundle", None):
        from model.bundle import load_config

        features = load_config(args.from_bundle).features
    return features == "pose"


def _check_from_on_one_machine(args: argparse.Namespace) -> None:
    """`--from` with `--strategy multiworker` is a one-line error, not a cluster of one-second jobs."""
    from model.errors import ClusterError

    # The head trains on cached embeddings in seconds; embedding each clip once is the cost, and
    # workers would each embed every clip again. Joining a cluster would take longer than the run.
    if getattr(args, "strategy", "none") == "multiworker":
        raise ClusterError(
            "`--from` trains only a small head on cached embeddings, in seconds on one machine, so it does "
            "not run on several workers: run it on one machine without `--strategy`. "
            "Received: --from with --strategy multiworker"
        )


def _check_out(out: Path) -> None:
    from app.outputs.files import OutputError

    # Checked before training, so a typo does not cost a whole run.
    if out.exists() and not out.is_dir():
        raise OutputError(f"Cannot write the bundle to {out}: it is a file; give a folder.")


def train_main(args: argparse.Namespace) -> int:
    """Trains a classifier bundle on `args.data` into `args.out` (see the module docstring)."""
    from model.bundle import save_bundle
    from model.data.manifests import labels_of
    from model.data.splits import holdout_split
    from model.data.windows import check_window_fits
    from model.eval.evaluate import evaluate_classifier
    from model.eval.fold_probs import FOLD_PROBS_FILE
    from model.eval.model_card import render_model_card
    from model.train.background import background_embeddings, save_background
    from model.train.classifier import TrainSettings, interrupt_note, train_classifier
    from model.train.folds import cross_validate, leave_one_source_out

    check_train_args(args)
    out = Path(args.out)
    _check_out(out)
    notes = read_notes(getattr(args, "card_notes", None))
    records = records_from_args(args)
    config = build_config(args, labels_of(records))
    print(f"config: {config.summary()}", file=sys.stderr)
    clips = load_clips(args, config, records)
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
        balance_sources=getattr(args, "balance_sources", False),
        verbose=fit_verbosity(),
    )
    metrics: dict = {"trained": str(date.today()), "command": args.command_line}
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
    if getattr(args, "loso", False):
        loso_settings = settings if not args.loso_epochs else dataclasses.replace(settings, epochs=args.loso_epochs)
        out.mkdir(parents=True, exist_ok=True)
        metrics["loso"] = leave_one_source_out(train_clips, config, loso_settings, args.loso_sources,
                                               probs_path=out / FOLD_PROBS_FILE)
        config = config.replace(unknown_below=metrics["loso"]["threshold"])
        print(f"unknown below {config.unknown_below:.2f} (calibrated on held-out sources)", file=sys.stderr)
    else:
        # Left from an earlier --loso run into this folder, it would describe another model.
        (out / FOLD_PROBS_FILE).unlink(missing_ok=True)

    def save(model, epoch, logs):
        interim = {**metrics, "epoch": epoch + 1}
        # No LiteRT files per epoch (seconds each): the final save writes them; a run stopped
        # early leaves a bundle that is converted once on first load.
        save_bundle(out, config, model, metrics=interim,
                    model_card=render_model_card(config, interim, notes=notes), lite=False)

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
    # What `train --from` learns "none of these" from, when the user brings no such clips.
    save_background(out, background_embeddings(model, config, train_clips))
    print(f"wrote {out}")
    return 0


def _attach_predictor(args, config: ModelConfig, clips, metrics: dict, test_clips=()):
    from model.eval.evaluate import evaluate_predictor, next_frame_pairs
    from model.train.predictor import to_gray, train_predictor

    gray = to_gray(clips)
    predictor, _ = train_predictor(gray, config, epochs=args.predictor_epochs, steps=args.steps,
                                   batch=args.batch, seed=args.seed, strategy=args.strategy,
                                   verbose=fit_verbosity())
    # Scored on the held-out groups when there are any, like the classifier.
    scored = to_gray(test_clips) if test_clips else gray
    report = evaluate_predictor(predictor, *next_frame_pairs(scored, config.predictor_frames))
    groups = sorted({r.group for r, _ in test_clips})
    split = f"held-out groups ({', '.join(groups)})" if test_clips else "training clips"
    metrics["predictor"] = {**report, "split": split}
    return predictor
