"""Training the next-frame predictor on real clips or on Moving MNIST.

The predictor starts as "copy the last frame" (its delta layer is zero), and
learns the change. Pairs are sampled at random offsets from the clips at the
model's fps, mirrored at random (motion is as likely one way as the other).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.config import ModelConfig
from model.errors import DatasetError


def random_pairs(
    clips: Sequence[np.ndarray], context: int, n: int, rng: np.random.Generator, flip: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Samples (context, next frame) pairs.

    Args:
        clips: uint8 (t, h, w, c) clips (c = 1 for gray), each with t > context.
        context: frames the predictor sees.
        n: pairs to draw.
        rng: the source of randomness.
        flip: mirror half of the pairs left-right.

    Returns:
        (inputs (n, context, h, w, c), targets (n, h, w, c)), float32 in [0, 1].

    Raises:
        DatasetError: no clip has more than `context` frames.
    """
    usable = [c for c in clips if len(c) > context]
    if not usable:
        raise DatasetError(_too_short(clips, context))
    xs, ys = [], []
    for _ in range(n):
        clip = usable[rng.integers(len(usable))]
        s = int(rng.integers(len(clip) - context))
        seq = clip[s : s + context + 1]
        if flip and rng.random() < 0.5:
            seq = seq[:, :, ::-1]
        xs.append(seq[:context])
        ys.append(seq[context])
    return np.stack(xs).astype(np.float32) / 255.0, np.stack(ys).astype(np.float32) / 255.0


def _too_short(clips: Sequence[np.ndarray], context: int) -> str:
    longest = max((len(c) for c in clips), default=0)
    return (
        f"The predictor needs clips longer than its {context} context frames, but the longest "
        f"has {longest}. Use longer clips or a higher fps. Received: {len(clips)} clips"
    )


def to_gray(clips: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Averages colour clips to one channel, (t, h, w, c) -> (t, h, w, 1), uint8."""
    out = []
    for clip in clips:
        if clip.shape[-1] == 1:
            out.append(clip)
        else:
            out.append(clip.astype(np.float32).mean(-1, keepdims=True).round().astype(np.uint8))
    return out


# Caps a perfect prediction at 50 dB, so a still frame cannot dominate the mean.
LOG_MSE_FLOOR = 1e-5


def log_mse_loss(y_true, y_pred):
    """Mean over the batch of log(per-image MSE): what average PSNR rewards.

    Plain MSE is dominated by frames with big motion, so a predictor trained on
    it smears small errors over still frames, where copying the last frame is
    nearly perfect; that lowers PSNR averaged per image. log(MSE) is PSNR up to
    sign and scale, so every frame counts alike.

    Args:
        y_true: true next frames, (batch, h, w, c).
        y_pred: predicted next frames, (batch, h, w, c).

    Returns:
        A scalar loss.
    """
    from model.backend import import_keras

    ops = import_keras().ops
    per_image = ops.mean(ops.square(y_true - y_pred), axis=[1, 2, 3])
    return ops.mean(ops.log(per_image + LOG_MSE_FLOOR))


@dataclass(frozen=True)
class PredictorSettings:
    """How the next-frame predictor trains; each default is what the shipped model used."""

    # 20 epochs: per-image log-MSE keeps improving held-out PSNR until about there.
    epochs: int = 20
    steps: int = 60
    # 8 sequences: ConvLSTM activations at full size dominate memory, not the weights.
    batch: int = 8
    lr: float = 1e-3
    seed: int = 1


def train_predictor(
    clips: Sequence[np.ndarray],
    config: ModelConfig,
    *,
    epochs: int = PredictorSettings.epochs,
    steps: int = PredictorSettings.steps,
    batch: int = PredictorSettings.batch,
    seed: int = PredictorSettings.seed,
    lr: float = PredictorSettings.lr,
    verbose: int = 1,
    frame_shape: tuple[int, int, int] | None = None,
    strategy: str = "none",
):
    """Trains a next-frame predictor.

    Args:
        clips: uint8 (t, h, w, 1) gray clips at the model's fps (or Moving MNIST sequences).
        config: gives `predictor_frames` and `predictor_filters`.
        epochs: passes of `steps` batches.
        steps: batches per epoch.
        batch: pairs per batch.
        seed: seeds sampling and weights.
        lr: Adam learning rate.
        verbose: Keras fit verbosity.
        frame_shape: (h, w, c) when it differs from the config's (Moving MNIST).
        strategy: "none", "mirrored" or "multiworker", as for the classifier
            (`model.train.classifier.make_strategy`).

    Returns:
        (predictor, history dict). Under "multiworker" the predictor is a plain
        copy that predicts on this worker alone.

    Raises:
        DatasetError: no clip is longer than `config.predictor_frames`.
        ClusterError: under "multiworker", workers disagree on the config or
            schedule, the batch does not split over them, or one is lost.
    """
    from model.backend import import_keras
    from model.nets.predictor import build_predictor
    from model.train import distributed
    from model.train.classifier import make_strategy, set_seed

    keras = import_keras()
    k = config.predictor_frames
    # Checked here: inside the tf.data generator below the error would surface as a TF traceback.
    if not any(len(c) > k for c in clips):
        raise DatasetError(_too_short(clips, k))
    set_seed(seed)
    h, w = clips[0].shape[1:3]
    shape = tuple(frame_shape or (h, w, 1))
    for i, clip in enumerate(clips):
        if np.ndim(clip) != 4 or tuple(clip.shape[1:]) != shape:
            raise ValueError(
                f"`clips` must all be (t, {', '.join(map(str, shape))}) frames. Hint: `to_gray` "
                f"makes colour clips one-channel. Received: clips[{i}].shape={np.shape(clip)}"
            )
    dist = make_strategy(strategy)
    with dist.scope():
        model = build_predictor(config, frame_shape=shape)
        model.compile(optimizer=keras.optimizers.Adam(lr), loss=log_mse_loss)
    import tensorflow as tf

    def stream(size: int, stream_seed: int):
        rng = np.random.default_rng(stream_seed)

        def batches():
            while True:
                yield random_pairs(clips, k, size, rng)

        return tf.data.Dataset.from_generator(
            batches,
            output_signature=(
                tf.TensorSpec((size, k, *shape), tf.float32),
                tf.TensorSpec((size, *shape), tf.float32),
            ),
        ).prefetch(2)

    multiworker = distributed.is_multiworker(dist)
    if multiworker:
        distributed.check_workers_agree(
            dist, f"predictor {config!r} {shape} epochs={epochs} steps={steps} batch={batch} lr={lr} seed={seed}")
        data, spec = distributed.distribute_batches(dist, stream, batch, seed)
        distributed.prepare_model(model, dist, spec)
    else:
        data = stream(batch, seed)
    with distributed.lost_contact() if multiworker else contextlib.nullcontext():
        # shuffle=False: the pairs are already random, and True only makes Keras warn about it.
        history = model.fit(data, epochs=epochs, steps_per_epoch=steps, verbose=verbose, shuffle=False)
    if multiworker:
        model = distributed.local_copy(model, lambda: build_predictor(config, frame_shape=shape))
    return model, history.history
