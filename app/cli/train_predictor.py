"""`actionlens train-predictor`: the next-frame predictor, on real clips or Moving MNIST.

On clips, `--holdout-groups` keeps those people out of training and scores the
predictor on them; on Moving MNIST (`--moving-mnist DIGITS_DIR`) the first half
of the digits makes training sequences and the second half test sequences, by
the standard protocol, and only the figures are kept in the bundle.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from app.cli.common import fit_verbosity, load_clips
from model.config import ModelConfig
from model.errors import DatasetError

# Moving MNIST: 400 sequences to draw training pairs from, 100 to score on (800 pairs),
# enough for figures that are stable to about 0.1 dB PSNR.
MNIST_TRAIN_SEQUENCES = 400
MNIST_TEST_SEQUENCES = 100


def main(args: argparse.Namespace) -> int:
    """Runs `actionlens train-predictor`; returns the exit code."""
    from app.cli.workers import worker_scope

    # read_out: every worker must build the predictor from the same bundle config.
    with worker_scope(args, read_out=True) as args:
        return train_predictor_main(args)


def train_predictor_main(args: argparse.Namespace) -> int:
    """Trains the predictor on clips (held-out groups reported) or on Moving MNIST."""
    from model.bundle import BundleError, load_bundle, save_bundle
    from model.eval.evaluate import evaluate_predictor, next_frame_pairs
    from model.eval.model_card import render_model_card
    from model.train.predictor import to_gray, train_predictor

    for name in ("epochs", "steps", "batch"):
        if getattr(args, name) < 1:
            raise DatasetError(f"`--{name}` must be at least 1. Received: {getattr(args, name)}")
    out = Path(args.out)
    try:
        bundle = load_bundle(out, load_predictor=False)
    except BundleError:
        bundle = None
    config = bundle.config if bundle else ModelConfig(labels=("idle", "action"))
    rng = np.random.default_rng(args.seed)
    if args.moving_mnist:
        from model.data.moving_mnist import load_mnist_images, moving_mnist

        digits = load_mnist_images(_mnist_file(args.moving_mnist))
        if len(digits) < 2:
            raise DatasetError(
                f"{args.moving_mnist}: Moving MNIST needs at least 2 digit images (half train, "
                f"half test). Received: {len(digits)}"
            )
        train_digits, test_digits = digits[: len(digits) // 2], digits[len(digits) // 2 :]
        train = list(moving_mnist(train_digits, MNIST_TRAIN_SEQUENCES, rng=rng)[..., None])
        test = list(moving_mnist(test_digits, MNIST_TEST_SEQUENCES, rng=rng)[..., None])
        shape = (64, 64, 1)
        split = "Moving MNIST, test digits"
    else:
        if not args.data:
            raise DatasetError("pass --data CLIPS or --moving-mnist DIGITS_DIR")
        from model.data.manifests import load_records
        from model.data.splits import holdout_split

        records = load_records(args.data)
        clips = load_clips(args, config.replace(color="gray"), records)
        test_groups = set(args.holdout_groups)
        if test_groups:
            holdout_split([r for r, _ in clips], args.holdout_groups)
        train = to_gray([c for r, c in clips if r.group not in test_groups])
        test = to_gray([c for r, c in clips if r.group in test_groups]) or train
        shape = None
        split = f"held-out groups ({', '.join(sorted(test_groups))})" if test_groups else "training clips"
    predictor, _ = train_predictor(train, config, epochs=args.epochs, steps=args.steps,
                                   batch=args.batch, seed=args.seed, frame_shape=shape,
                                   strategy=args.strategy, verbose=fit_verbosity())
    report = {**evaluate_predictor(predictor, *next_frame_pairs(test, config.predictor_frames)),
              "split": split}
    print(f"next frame ({split}): PSNR {report['psnr']:.2f} dB vs copy-last {report['psnr_copy_last']:.2f} dB; "
          f"MSE {report['mse']:.5f} vs {report['mse_copy_last']:.5f}")
    if bundle is None:
        print(f"{out} holds no classifier; predictor not attached (report above)", file=sys.stderr)
        return 0
    key = "predictor_moving_mnist" if args.moving_mnist else "predictor"
    metrics = {**bundle.metrics, key: report}
    # Only a card this tool wrote is re-rendered; a hand-written one is left alone.
    card = render_model_card(config, metrics, notes=metrics.get("card_notes", "")) if "trained" in metrics else None
    # A Moving MNIST predictor sees 64 px digits, not this model's frames: only its figures are kept.
    save_bundle(out, config, bundle.classifier, predictor=None if args.moving_mnist else predictor,
                metrics=metrics, model_card=card)
    print(f"wrote {out / 'metrics.json'}" if args.moving_mnist else f"wrote {out / 'predictor.keras'}")
    return 0


def _mnist_file(folder: str) -> Path:
    root = Path(folder)
    path = root / "t10k-images-idx3-ubyte.gz" if root.is_dir() else root
    if not path.is_file():
        raise DatasetError(f"{folder}: no MNIST images (t10k-images-idx3-ubyte.gz) found there")
    return path
