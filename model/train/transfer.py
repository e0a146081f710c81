"""Teaching a trained bundle new classes: a frozen encoder, cached embeddings, a new head.

The base bundle's per-frame encoder already turns a frame and its motion into
an embedding that separates actions across people and rooms. A person's own
gestures then need only a new temporal head:

1. every clip goes through the frozen encoder once (`model.train.embed`), as
   itself, mirrored, and in augmented views (`model.train.clip_views`: without
   them a head learnt from one person's clips names another's as `other`);
   idle windows made from the clips' still frames too;
2. training windows are cut from those embedding sequences, balanced by class;
3. the head (`build_temporal_head` of the base's config with the new labels)
   trains on them; nothing touches pixels again, so an epoch costs milliseconds;
4. the saved classifier is the ordinary full model, encoder plus new head, so
   it loads in safe mode and the live engine runs it unchanged.

The new bundle keeps the base's window, frame size, colour, fps, crop and motion
pairs (live input must look like the training input) and its open-world classes:
`idle`, and the background class when the base ships the embeddings of its
background windows (`model.train.background.BACKGROUND_FILE`) or the user gives clips labelled
"nothing".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.config import ModelConfig
from model.train.clip_views import augmented_views
from model.train.embed import ClipEmbedder, EmbeddedClip
from model.train.head import HeadTrainer, cut_windows, full_classifier, training_set, window_steps
from model.train.transfer_data import load_background, transfer_config, usable_clips

Progress = Callable[[str, int, int, str], None]  # stage ("embedding", "estimating", "training"), done, total, detail


@dataclass(frozen=True)
class TransferSettings:
    """How to train a new head on cached embeddings; defaults fit 15 short clips in seconds.

    Attributes:
        epochs: passes over all training windows for the final head.
        estimate_epochs: passes per leave-one-out fold (0 skips the estimate).
        batch: windows per batch.
        lr: Adam learning rate (cosine decay to 10% of it).
        stride: embeddings between the starts of training windows cut from one clip.
        mirror: also learn from each clip mirrored (only for symmetric labels).
        views: augmented views of each clip also learnt from (`model.train.clip_views`).
        idle_windows: synthetic idle windows made from the clips' still frames.
        max_background: the most base background windows used (a random subset).
        max_folds: the most folds of the estimate; more sessions are merged round-robin.
        seed: seeds numpy and the backend.
    """

    epochs: int = 20
    # Folds train on nearly the same data as the final head; fewer passes keep 15 folds cheap.
    estimate_epochs: int = 12
    batch: int = 64
    lr: float = 3e-3
    stride: int = 3
    mirror: bool = True
    # Measured on a new person (docs/benchmarks.md): 0 views got 0 to 2 of 9 clips right, 16 views 6 to 8.
    views: int = 16
    idle_windows: int = 48
    max_background: int = 400
    max_folds: int = 20
    seed: int = 1


def load_base(path: str | Path):
    """Loads a base bundle and finds its per-frame encoder.

    Returns:
        (bundle, encoder): the encoder maps (batch, h, w, c') to (batch, embed_dim).

    Raises:
        BundleError: the folder is no bundle, or its classifier has no separate encoder.
    """
    from model.bundle import BundleError, load_bundle
    from model.nets.networks import split_classifier

    bundle = load_bundle(path, load_predictor=False)
    split = split_classifier(bundle.classifier)
    if split is None:
        raise BundleError(
            f"{path}: its `{bundle.config.arch}` classifier has no per-frame encoder to reuse. "
            "Pass a cnn_lstm or renet bundle to `--from`, e.g. assets/models/default."
        )
    encoder = split[0]
    encoder.trainable = False
    return bundle, encoder


@dataclass
class TeachResult:
    """What `teach` made.

    Attributes:
        config: the new bundle's config.
        classifier: the full classifier, (batch, time, h, w, c) -> (batch, classes).
        estimate: the leave-one-out report (`model.eval.estimate.leave_one_out`), or None.
        counts: clips learnt from per label.
        warnings: one line per skipped clip or thin class.
        background: float16 (n, steps, embed_dim) background windows for the new
            bundle's `BACKGROUND_FILE` (the base's and the user's), or None.
        seconds: {"embedding", "estimating", "training"}: wall time of each stage.
    """

    config: ModelConfig
    classifier: object
    estimate: dict | None
    counts: dict[str, int]
    warnings: list[str]
    background: np.ndarray | None
    seconds: dict[str, float]


def teach(base, clips: Sequence[tuple[object, np.ndarray]], settings: TransferSettings = TransferSettings(),
          *, background: str = "other", symmetric: Sequence[str] | None = None, idle: bool = True,
          cache_dir: str | Path | None = None, progress: Progress | None = None) -> TeachResult:
    """Teaches the base bundle's encoder the classes of `clips` (see the module docstring).

    Args:
        base: (bundle, encoder) from `load_base`.
        clips: (record, uint8 frames (t, size, size, c)) pairs decoded with the base's config.
        settings: how to train.
        background: the background class's name when the base has none.
        symmetric: labels safe to mirror; None means all.
        idle: keep the idle class.
        cache_dir: where embeddings are cached (None: nowhere).
        progress: called as progress(stage, done, total, detail).

    Returns:
        A `TeachResult`.

    Raises:
        DatasetError: too few classes, or a class with no clip as long as a window.
    """
    from model.data.idle import make_idle_windows
    from model.eval.estimate import leave_one_out

    report = progress or (lambda *_: None)
    bundle, encoder = base
    steps = window_steps(bundle.config)
    name = bundle.config.background_label or background
    kept, warnings = usable_clips(clips, bundle.config, name)
    base_bg = load_background(bundle.path, steps)
    labels = {r.label for r, _ in kept}
    config = transfer_config(bundle.config, labels, name if base_bg is not None or name in labels else "",
                             symmetric, idle)
    seconds, started = {}, time.monotonic()
    embedder = ClipEmbedder(encoder, bundle.config, cache_dir)
    embedded = []
    for n, (record, frames) in enumerate(kept, 1):
        views = [embedder.embed_clip(frames)]
        symmetric_label = record.label in config.symmetric_labels
        if settings.mirror and symmetric_label:
            views.append(embedder.embed_clip(frames, mirror=True))
        views += [embedder.embed_clip(v) for v in augmented_views(frames, settings.views, symmetric=symmetric_label,
                                                                   seed=settings.seed)]
        embedded.append(EmbeddedClip(record, views))
        report("embedding", n, len(kept), record.path.name)
    rng = np.random.default_rng(settings.seed)
    extra = {}
    if config.idle_label:
        windows = make_idle_windows([f for _, f in kept], bundle.config.frames, settings.idle_windows, rng)
        extra[config.idle_label] = embedder.embed_windows(windows)
    if base_bg is not None:
        extra[name] = base_bg[rng.permutation(len(base_bg))[: settings.max_background]]
    seconds["embedding"] = round(time.monotonic() - started, 2)

    started = time.monotonic()
    trainer = HeadTrainer(config, embedder.embed_dim, settings.lr, settings.batch, settings.seed)
    estimate = None
    if settings.estimate_epochs > 0 and len(embedded) >= 2:
        estimate = leave_one_out(embedded, extra, config, trainer, settings.estimate_epochs, settings.stride,
                                 settings.max_folds, lambda d, t: report("estimating", d, t, ""))
        if config.background_label in labels:
            config = config.replace(unknown_below=_calibrated(estimate, embedded, config))
    seconds["estimating"] = round(time.monotonic() - started, 2)

    started = time.monotonic()
    x, y, w = training_set(embedded, extra, config, settings.stride)

    def on_epoch(epoch: int, logs: dict) -> None:
        report("training", epoch + 1, settings.epochs,
               f"loss {logs.get('loss', float('nan')):.3f}, accuracy {logs.get('accuracy', 0.0):.1%}")

    trainer.fit(x, y, w, settings.epochs, on_epoch)
    classifier = full_classifier(config, encoder, trainer.head)
    seconds["training"] = round(time.monotonic() - started, 2)
    mine = [cut_windows(c.views[0], steps, settings.stride) for c in embedded if c.label == config.background_label]
    stored = [s for s in [base_bg, *mine] if s is not None and len(s)]
    counts = {label: sum(1 for c in embedded if c.label == label) for label in sorted(labels)}
    return TeachResult(config, classifier, estimate, counts, warnings,
                       np.concatenate(stored).astype(np.float16) if stored else None, seconds)


def _calibrated(estimate: dict, embedded: Sequence[EmbeddedClip], config: ModelConfig) -> float:
    """The unknown threshold that best separates the user's actions from their "nothing" clips."""
    from model.eval.open_set import calibrate

    records = [c.record for c in embedded]
    return calibrate([(estimate["probs"], estimate["clip_ids"], records, config)])
