"""`actionlens compare`: the three architectures on the same held-out groups."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(args: argparse.Namespace) -> int:
    """Trains each architecture per split, prints a table, and writes JSON rows."""
    from app.cli.common import build_config, load_clips
    from model.data.manifests import labels_of, load_records
    from model.data.splits import holdout_split
    from model.train.classifier import TrainSettings
    from model.train.compare import compare_architectures

    records = load_records(args.data)
    for group in args.holdout_groups:
        holdout_split(records, [group])  # unknown groups fail here, before any training
    config = build_config(args, labels_of(records))
    clips = load_clips(args, config, records)
    settings = TrainSettings(epochs=args.epochs, steps=args.steps, batch=args.batch, seed=args.seed, verbose=0)
    rows = compare_architectures(clips, config, settings, args.holdout_groups)
    print(f"{'arch':<10} {'params':>8} {'clip acc':>9} {'window acc':>11} {'ms/frame':>9}")
    for row in rows:
        print(f"{row['arch']:<10} {row['params']:>8,} {row['clip_accuracy']:>9.1%} "
              f"{row['window_accuracy']:>11.1%} {row['ms_per_frame']:>9.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    if args.into:
        add_to_bundle(args.into, rows, args.command_line)
    return 0


def add_to_bundle(path: str, rows: list[dict], command: str) -> None:
    """Stores the comparison in a bundle's metrics.json and redraws its model card."""
    from datetime import date

    from model.bundle import update_metrics

    note = (f"Measured {date.today()} with `{command}`: each architecture trained with the same "
            f"settings on the same splits (held out: {', '.join(rows[0]['splits'])}); ms per frame "
            "is one live step with compiled calls on this machine's CPU.")
    card = update_metrics(path, architectures=[{**rows[0], "note": note}, *rows[1:]])
    print(f"added the comparison to {Path(path)} ({card.name} redrawn)", file=sys.stderr)
