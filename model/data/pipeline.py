"""Feeds decoded clips to Keras: endless augmented training batches and fixed eval windows.

Training batches are balanced by class: each sample picks a class uniformly,
then a clip of that class uniformly, then a random augmented window, so a
class with few clips is not drowned out. Given each clip's source (its
dataset: a room and a camera), a class picks a source uniformly before a clip,
so the source with the most clips of a class does not become what the class
looks like. With `idle_fraction` > 0, that share
of samples is an idle window (`model.data.idle`) labelled `config.idle_label`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.config import ModelConfig
from model.data.augment import AugmentParams, random_train_window
from model.data.idle import make_idle_windows
from model.data.loading import to_model_input
from model.data.windows import check_window_fits, eval_windows
from model.errors import DatasetError

ClipsWithLabels = Sequence[tuple[np.ndarray, str]]


def label_ids(clips_with_labels: ClipsWithLabels, config: ModelConfig) -> np.ndarray:
    """The index in `config.labels` of each clip's label, as int32 (n,).

    Also checks that each clip is uint8 (t, size, size, c) for `config`.
    """
    for i, (clip, _) in enumerate(clips_with_labels):
        clip = np.asarray(clip)
        if clip.dtype != np.uint8 or clip.ndim != 4 or clip.shape[1:] != config.frame_shape:
            raise DatasetError(
                f"Clip {i} must be uint8 (time, {', '.join(map(str, config.frame_shape))}) as "
                "`load_dataset` makes with this config. Received: "
                f"dtype={clip.dtype}, shape={tuple(clip.shape)}"
            )
    index = {label: i for i, label in enumerate(config.labels)}
    unknown = sorted({label for _, label in clips_with_labels} - set(index))
    if unknown:
        raise DatasetError(
            f"Clip label(s) {', '.join(unknown)} are not in the model's labels "
            f"({', '.join(config.labels)}). Add them to `labels` or drop those clips."
        )
    return np.array([index[label] for _, label in clips_with_labels], np.int32)


def train_batches(
    clips_with_labels: ClipsWithLabels,
    config: ModelConfig,
    batch_size: int,
    rng: np.random.Generator,
    idle_fraction: float = 0.0,
    augment: AugmentParams | None = None,
    scramble_fraction: float = 0.0,
    sources: Sequence[str] | None = None,
):
    """Yields training batches forever, as numpy arrays.

    Args:
        clips_with_labels: (uint8 frames (t, size, size, c), label) pairs.
        config: gives labels, window length and the idle label.
        batch_size: windows per batch.
        rng: the source of randomness; its state carries over between batches.
        idle_fraction: share of idle windows in [0, 1).
        augment: augmentation strengths; None uses `AugmentParams()`.
        scramble_fraction: share of background windows cut from action clips with
            their frames shuffled; needs `config.background_label` in the labels.
        sources: each clip's source, aligned with `clips_with_labels`; None or all
            equal samples clips of a class uniformly.

    Yields:
        (x, y): x float32 (batch, T, size, size, c) in [0, 1], y int32 (batch,).
    """
    augment = augment if augment is not None else AugmentParams()
    y_all = label_ids(clips_with_labels, config)
    check_window_fits([len(c) for c, _ in clips_with_labels], config.frames, config.fps)
    if not 0.0 <= idle_fraction < 1.0:
        raise ValueError(
            f"`idle_fraction` must be in [0, 1). Received: idle_fraction={idle_fraction}"
        )
    if idle_fraction > 0 and config.idle_label not in config.labels:
        raise DatasetError(
            f"`idle_fraction`={idle_fraction} but the idle label {config.idle_label!r} is not in "
            f"`labels` ({', '.join(config.labels)}). Add it to `labels` or set idle_fraction=0."
        )
    clips = [c for c, _ in clips_with_labels]
    by_class = [_by_source(np.flatnonzero(y_all == k), sources, len(clips)) for k in range(config.num_classes)]
    present = [k for k, pools in enumerate(by_class) if pools]
    idle_id = config.labels.index(config.idle_label) if idle_fraction > 0 else -1
    background_id = config.labels.index(config.background_label) if config.background_label in config.labels else -1
    # Background windows in the rooms and cameras of the actions themselves: otherwise "a source
    # seen only in background clips" is a shortcut to the background class, and a known room to an action.
    scrambled_from = [j for j, k in enumerate(y_all) if k not in (background_id, idle_id)]
    scramble = scramble_fraction if background_id >= 0 and scrambled_from else 0.0
    while True:
        x = np.empty((batch_size, *config.window_shape), np.uint8)
        y = np.empty((batch_size,), np.int32)
        for i in range(batch_size):
            if idle_fraction > 0 and rng.random() < idle_fraction:
                x[i] = make_idle_windows(clips, config.frames, 1, rng)[0]
                y[i] = idle_id
                continue
            if scramble > 0 and rng.random() < scramble:
                j = int(rng.choice(scrambled_from))
                window = random_train_window(clips[j], clips_with_labels[j][1], config, rng, augment)
                x[i] = window[rng.permutation(len(window))]
                y[i] = background_id
                continue
            k = present[int(rng.integers(len(present)))]
            pools = by_class[k]
            # One pool draws as before sources existed, so old seeds give the same stream.
            pool = pools[int(rng.integers(len(pools)))] if len(pools) > 1 else pools[0]
            j = int(rng.choice(pool))
            x[i] = random_train_window(clips[j], config.labels[k], config, rng, augment)
            y[i] = k
        yield to_model_input(x), y


def _by_source(members: np.ndarray, sources: Sequence[str] | None, n: int) -> list[np.ndarray]:
    """A class's clip indices split by source (one pool when sources are not given); [] if none."""
    if sources is None:
        return [members] if len(members) else []
    if len(sources) != n:
        raise ValueError(f"`sources` must name one source per clip ({n}). Received: {len(sources)} sources")
    names = sorted({sources[j] for j in members})
    return [np.array([j for j in members if sources[j] == name]) for name in names]


def make_train_dataset(
    clips_with_labels: ClipsWithLabels,
    config: ModelConfig,
    batch_size: int,
    steps_per_epoch: int,
    seed: int,
    idle_fraction: float = 0.0,
    augment: AugmentParams | None = None,
    scramble_fraction: float = 0.0,
    sources: Sequence[str] | None = None,
):
    """A `tf.data.Dataset` of augmented training batches, `steps_per_epoch` per pass.

    Each pass (epoch) continues one random stream seeded by `seed`, so epochs
    differ while a run stays reproducible.

    Args:
        clips_with_labels: (uint8 frames (t, size, size, c), label) pairs.
        config: gives labels, window shape and the idle label.
        batch_size: windows per batch.
        steps_per_epoch: batches per pass over the dataset.
        seed: seeds the random stream.
        idle_fraction: share of idle windows in [0, 1).
        augment: augmentation strengths; None uses `AugmentParams()`.
        scramble_fraction: share of frame-shuffled action windows labelled background.
        sources: each clip's source, to balance sources within a class (see `train_batches`).

    Returns:
        A dataset of (x, y): x float32 (batch, T, size, size, c) in [0, 1], y int32 (batch,).
    """
    from model.backend import import_keras

    import_keras()
    import tensorflow as tf

    if batch_size < 1 or steps_per_epoch < 1:
        raise ValueError(
            f"`batch_size` and `steps_per_epoch` must be >= 1. Received: batch_size={batch_size}, "
            f"steps_per_epoch={steps_per_epoch}"
        )
    # Built once, so validation errors surface here rather than inside a TF worker thread.
    stream = train_batches(
        clips_with_labels, config, batch_size, np.random.default_rng(seed), idle_fraction, augment,
        scramble_fraction, sources,
    )
    first = next(stream)

    def one_epoch():
        nonlocal first
        for _ in range(steps_per_epoch):
            if first is not None:
                batch, first = first, None
                yield batch
            else:
                yield next(stream)

    signature = (
        tf.TensorSpec((batch_size, *config.window_shape), tf.float32),
        tf.TensorSpec((batch_size,), tf.int32),
    )
    return tf.data.Dataset.from_generator(one_epoch, output_signature=signature).prefetch(2)


def make_eval_windows(
    clips_with_labels: ClipsWithLabels, config: ModelConfig, stride: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every evaluation window of every clip, unaugmented.

    Args:
        clips_with_labels: (uint8 frames (t, size, size, c), label) pairs.
        config: gives labels and the window length T.
        stride: frames between window starts; None uses T // 2.

    Returns:
        (x, y, clip_ids): x float32 (n, T, size, size, c) in [0, 1]; y int32 (n,)
        label indices; clip_ids int32 (n,) index of each window's clip, for
        per-clip votes.
    """
    y_clip = label_ids(clips_with_labels, config)
    check_window_fits([len(c) for c, _ in clips_with_labels], config.frames, config.fps)
    stride = stride if stride is not None else max(1, config.frames // 2)
    xs, ys, ids = [], [], []
    for i, (clip, _) in enumerate(clips_with_labels):
        w = eval_windows(clip, config.frames, stride)
        xs.append(w)
        ys.append(np.full(len(w), y_clip[i], np.int32))
        ids.append(np.full(len(w), i, np.int32))
    return to_model_input(np.concatenate(xs)), np.concatenate(ys), np.concatenate(ids)
