"""`actionlens train --from BUNDLE`: teach a trained bundle your own classes in seconds.

The bundle's per-frame encoder stays frozen; each clip is embedded once (and
cached), and only a new temporal head is trained (`model.train.transfer`). The
new bundle keeps the base's window, frame size, fps and crop, its `idle` class
and its background class, and its card and metrics carry a leave-one-clip-out
(or leave-one-session-out) estimate of how it will do on a new clip.

Progress goes to stderr as plain lines, one per clip, fold and epoch, never
terminal control characters; `--progress json` writes them to stdout as JSON
lines instead, which is how the GUI's Train button follows a run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from model.errors import DatasetError


class Reporter:
    """Says what the run is doing: plain lines on stderr, or JSON lines on stdout.

    Args:
        json_lines: write JSON objects, one a line, to stdout (for the GUI).
    """

    def __init__(self, json_lines: bool = False) -> None:
        self.json_lines = json_lines

    def __call__(self, stage: str, done: int, total: int, detail: str = "") -> None:
        if self.json_lines:
            self.emit({"stage": stage, "done": done, "total": total, "detail": detail})
            return
        # Long lists of clips print every 10%, short ones every clip: a log stays readable either way.
        if stage in ("loading", "embedding") and total > 20 and done * 10 // total == (done - 1) * 10 // total:
            return
        words = {"loading": "loading clip", "embedding": "embedding clip", "estimating": "estimate: fold",
                 "training": "training head: epoch"}
        print(f"{words.get(stage, stage)} {done}/{total}" + (f": {detail}" if detail else ""), file=sys.stderr)

    def emit(self, event: dict) -> None:
        print(json.dumps(event), flush=True)

    def warn(self, line: str) -> None:
        print(f"warning: {line}", file=sys.stderr, flush=True)


def transfer_main(args: argparse.Namespace) -> int:
    """Runs `actionlens train --from`; returns the exit code."""
    from app.cli.common import read_notes, records_from_args
    from model.bundle import save_bundle
    from model.data.splits import holdout_split
    from model.eval.estimate import estimate_line, estimate_markdown
    from model.eval.evaluate import evaluate_classifier
    from model.eval.model_card import render_model_card
    from model.train.background import BACKGROUND_FILE, save_background
    from model.train.transfer import TransferSettings, load_base, teach
    from model.train.transfer_data import NOTHING_LABEL

    started = time.monotonic()
    report = Reporter(getattr(args, "progress", "lines") == "json")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise DatasetError(f"`--out` must be a folder for the new bundle. Received: {out} (a file)")
    notes = read_notes(getattr(args, "card_notes", None))  # a typo fails before any work
    base = load_base(args.from_bundle)
    bundle = base[0]
    _warn_ignored(args, bundle.config, report)
    name = bundle.config.background_label or getattr(args, "background", None) or "other"
    records = [dataclasses.replace(r, label=name) if r.label == NOTHING_LABEL else r
               for r in records_from_args(args)]
    test_ids = set()
    if args.holdout_groups:
        test_ids = {id(r) for r in holdout_split(records, args.holdout_groups)[1]}
    clips = _load(records, bundle.config, args, report)
    train = [(r, c) for r, c in clips if id(r) not in test_ids]
    test = [(r, c) for r, c in clips if id(r) in test_ids]
    epochs = args.head_epochs if getattr(args, "head_epochs", None) else TransferSettings.epochs
    if epochs < 1:
        raise DatasetError(f"`--head-epochs` must be at least 1. Received: {epochs}")
    views = args.views if getattr(args, "views", None) is not None else TransferSettings.views
    if views < 0:
        raise DatasetError(f"`--views` must be 0 or more. Received: {views}")
    settings = TransferSettings(epochs=epochs, seed=args.seed, views=views,
                                estimate_epochs=0 if getattr(args, "no_estimate", False) else TransferSettings.estimate_epochs)
    result = teach(base, train, settings, background=name, symmetric=args.symmetric, idle=not args.no_idle,
                   cache_dir=_cache_root(args), progress=report)
    for line in result.warnings:
        report.warn(line)
    config = result.config
    estimate = None
    if result.estimate:
        estimate = {k: v for k, v in result.estimate.items() if k not in ("probs", "clip_ids")}
    metrics: dict = {
        "trained": str(date.today()), "command": args.command_line,
        "taught": {"from": str(bundle.path), "clips": sum(result.counts.values()), "counts": result.counts,
                   "stage_seconds": result.seconds},
        "estimate": estimate, "params": int(result.classifier.count_params()),
    }
    if test:
        metrics["holdout"] = evaluate_classifier(result.classifier, config, test)
    metrics["taught"]["seconds"] = round(time.monotonic() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    # Before save_bundle, so the LiteRT files it writes include the predictor's.
    _copy_predictor(bundle.path, out)
    save_bundle(out, config, result.classifier, metrics=metrics,
                model_card=render_model_card(config, metrics, notes=estimate_markdown(metrics) + notes))
    (out / BACKGROUND_FILE).unlink(missing_ok=True)  # a stale file would teach the next run wrong background
    save_background(out, result.background)
    seconds = round(time.monotonic() - started, 1)
    summary = (f"taught {', '.join(f'{k} ({n})' for k, n in result.counts.items())} in {seconds:g} s; "
               f"estimate: {estimate_line(estimate)}")
    if report.json_lines:
        report.emit({"stage": "done", "bundle": str(out), "summary": summary, "estimate": estimate,
                     "counts": result.counts, "seconds": seconds, "warnings": result.warnings,
                     "labels": list(config.labels)})
    else:
        print(summary)
        if test:
            print(f"held-out clip accuracy {metrics['holdout']['clip_accuracy']:.1%}, "
                  f"window accuracy {metrics['holdout']['window_accuracy']:.1%}")
        print(f"wrote {out}")
    return 0


def _load(records, config, args, report: Reporter) -> list:
    """Decodes every clip with the base's preprocessing; skipped files become warnings."""
    from model.data.clip_cache import ClipCache
    from model.data.loading import load_clip_frames

    cache = ClipCache(args.cache) if getattr(args, "cache", None) else ClipCache()
    clips = []
    for n, record in enumerate(records, 1):
        try:
            clips.append((record, load_clip_frames(record, config, cache)))
        except DatasetError as err:
            report.warn(f"Skipped {record.path}: {err}")
        report("loading", n, len(records), record.path.name)
    if not clips:
        raise DatasetError(f"None of the {len(records)} clips could be loaded; see the warnings above.")
    return clips


def _cache_root(args) -> Path:
    from model.data.clip_cache import default_cache_dir

    return Path(args.cache) if getattr(args, "cache", None) else default_cache_dir().parent


def _copy_predictor(base: Path, out: Path) -> None:
    from model.bundle import PREDICTOR_FILE

    # The next-frame predictor knows nothing of labels: the base's serves the new classes as well.
    if (base / PREDICTOR_FILE).is_file() and base.resolve() != out.resolve():
        tmp = out / f".{PREDICTOR_FILE}.partial"
        shutil.copy2(base / PREDICTOR_FILE, tmp)
        tmp.replace(out / PREDICTOR_FILE)


def _warn_ignored(args, base, report: Reporter) -> None:
    from model.config import ModelConfig

    default = ModelConfig()
    given = {name: getattr(args, name, None) for name in ("frames", "size", "fps", "color", "arch", "crop")}
    changed = [name for name, value in given.items()
               if value not in (None, "") and value != getattr(default, name) and value != getattr(base, name)]
    if changed:
        report.warn(f"--{', --'.join(changed)} ignored: with --from the window, frame size, fps, colour, "
                    "architecture and crop are the base bundle's, so live input matches what it learnt.")
