"""Compares the three classifier architectures on the same group splits.

For each architecture and each held-out group: train on the rest, evaluate on
the group. Then count parameters and time one live step on this machine: the
cached path (encoder once, head on the window's embeddings) where the model
splits, the whole window otherwise, as the engine would run it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

import numpy as np

from model.config import ARCHITECTURES, ModelConfig


def ms_per_frame(model, config: ModelConfig, repeats: int = 50) -> float:
    """Milliseconds for one live step with compiled calls, as the engine runs it.

    Args:
        model: a classifier built from `config`.
        config: its config.
        repeats: timed calls after one warm-up.

    Returns:
        Mean milliseconds per processed frame.
    """
    from model.nets.networks import split_classifier
    from model.preprocess import motion_pair

    rng = np.random.default_rng(0)
    split = split_classifier(model)
    frame = rng.random(config.frame_shape, dtype=np.float32)
    if split is not None:
        encoder, head = split
        x = motion_pair(frame, frame) if config.motion else frame
        steps = config.frames - 1 if config.motion else config.frames
        emb = np.repeat(np.asarray(encoder.predict_on_batch(x[None])), steps, axis=0)[None]

        def step():
            encoder.predict_on_batch(x[None])
            head.predict_on_batch(emb)
    else:
        window = rng.random((1, *config.window_shape), dtype=np.float32)

        def step():
            model.predict_on_batch(window)

    step()
    t0 = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - t0) / repeats * 1000.0


def compare_architectures(
    clips: Sequence[tuple[object, np.ndarray]],
    config: ModelConfig,
    settings,
    holdout_groups: Sequence[str],
    archs: Sequence[str] = ARCHITECTURES,
) -> list[dict]:
    """Trains and tests every architecture on the same held-out groups.

    Args:
        clips: (record, uint8 frames) pairs at the config's fps and size.
        config: the shared config; only `arch` changes.
        settings: a `model.train.classifier.TrainSettings`.
        holdout_groups: each is held out in turn (one split per group).
        archs: architectures to compare.

    Returns:
        One row per architecture: arch, params, clip_accuracy, window_accuracy
        (pooled over the splits), ms_per_frame, splits.
    """
    from model.train.folds import pool, run_folds

    records = [r for r, _ in clips]
    folds = [(g, [r for r in records if r.group != g], [r for r in records if r.group == g])
             for g in holdout_groups]
    rows = []
    for arch in archs:
        # Only cnn_lstm's encoder computes normal flow; the others compare on motion pairs.
        cfg = config.replace(arch=arch, motion_input=config.motion_input if arch == "cnn_lstm" else "pair")
        results, model = run_folds(clips, cfg, settings, folds, label=arch)
        pooled = pool(results)
        rows.append({
            "arch": arch,
            "params": int(model.count_params()),
            "clip_accuracy": pooled["clip_accuracy"],
            "window_accuracy": pooled["window_accuracy"],
            "ms_per_frame": ms_per_frame(model, cfg),
            "splits": list(holdout_groups),
        })
        print(f"{arch}: clip {rows[-1]['clip_accuracy']:.1%}, window {rows[-1]['window_accuracy']:.1%}, "
              f"{rows[-1]['ms_per_frame']:.2f} ms/frame", file=sys.stderr)
    return rows
