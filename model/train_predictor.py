"""Training the next-frame predictor on real clips or on Moving MNIST.

The predictor starts as "copy the last frame" (its delta layer is zero), and
learns the change. Pairs are sampled at random offsets from the clips at the
model's fps, mirrored at random (motion is as likely one way as the other).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.config import ModelConfig


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
    """
    usable = [c for c in clips if len(c) > context]
    if not usable:
        raise ValueError(f"no clip has more than `context`={context} frames")
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


def to_gray(clips: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Averages colour clips to one channel, (t, h, w, c) -> (t, h, w, 1), uint8."""
    out = []
    for clip in clips:
        if clip.shape[-1] == 1:
            out.append(clip)
        else:
            out.append(clip.astype(np.float32).mean(-1, keepdims=True).round().astype(np.uint8))
    return out


def train_predictor(
    clips: Sequence[np.ndarray],
    config: ModelConfig,
    *,
    epochs: int = 8,
    steps: int = 60,
    batch: int = 8,
    seed: int = 1,
    lr: float = 1e-3,
    verbose: int = 1,
    frame_shape: tuple[int, int, int] | None = None,
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

    Returns:
        (predictor, history dict).
    """
    from model.backend import import_keras
    from model.predictor import build_predictor
    from model.train import set_seed

    keras = import_keras()
    set_seed(seed)
    h, w = clips[0].shape[1:3]
    shape = frame_shape or (h, w, 1)
    model = build_predictor(config, frame_shape=shape)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    rng = np.random.default_rng(seed)
    k = config.predictor_frames

    def batches():
        while True:
            yield random_pairs(clips, k, batch, rng)

    import tensorflow as tf

    data = tf.data.Dataset.from_generator(
        batches,
        output_signature=(
            tf.TensorSpec((batch, k, *shape), tf.float32),
            tf.TensorSpec((batch, *shape), tf.float32),
        ),
    ).prefetch(2)
    history = model.fit(data, epochs=epochs, steps_per_epoch=steps, verbose=verbose)
    return model, history.history
