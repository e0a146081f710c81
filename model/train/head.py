"""Training a temporal head on cached embedding windows, and putting it back on its encoder.

A window here is `window_steps(config)` consecutive per-frame embeddings, the
exact input the live engine gives the head. One `HeadTrainer` compiles the
head once; every fit (the final head, each leave-one-out fold) starts again
from the same initial weights and fresh optimizer state, so folds reuse the
traced training step instead of paying for a new model each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from model.config import ModelConfig

# Predict in chunks of this many windows: one compiled call, a few MB.
_PREDICT_CHUNK = 256


def window_steps(config: ModelConfig) -> int:
    """Embeddings per window: T - 1 with motion pairs (the first frame is a reference), else T."""
    return config.frames - 1 if config.motion else config.frames


def cut_windows(seq: np.ndarray, steps: int, stride: int) -> np.ndarray:
    """Windows of `steps` embeddings from one sequence (t', embed_dim), every `stride`.

    Returns:
        float32 (n, steps, embed_dim); the last window always ends at the last
        embedding; a sequence shorter than `steps` gives none.
    """
    if len(seq) < steps:
        return np.zeros((0, steps, seq.shape[-1]), np.float32)
    starts = window_starts(len(seq), steps, stride)
    return np.stack([seq[s : s + steps] for s in starts]).astype(np.float32, copy=False)


def window_starts(length: int, steps: int, stride: int) -> list[int]:
    """Where `cut_windows` starts each window of a sequence of `length` steps (none if too short)."""
    if length < steps:
        return []
    return sorted(set(range(0, length - steps + 1, max(1, stride))) | {length - steps})


def training_set(clips: Sequence, extra: dict[str, np.ndarray], config: ModelConfig,
                 stride: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every training window with its label index and a class-balancing weight.

    Args:
        clips: `EmbeddedClip`s to learn from (all their views).
        extra: {label: windows (n, steps, embed_dim)}: idle and background windows.
        config: gives the labels and the window length.
        stride: embeddings between window starts.

    Returns:
        (x float32 (n, steps, embed_dim), y int32 (n,), weights float32 (n,)):
        every present class weighs as much in total as any other, so five clips
        of one action are not drowned by hundreds of background windows.
    """
    steps, index = window_steps(config), {name: i for i, name in enumerate(config.labels)}
    xs, ys = [], []
    for clip in clips:
        for view in clip.views:
            w = cut_windows(view, steps, stride)
            xs.append(w)
            ys.append(np.full(len(w), index[clip.label], np.int32))
    for label, windows in extra.items():
        xs.append(np.asarray(windows, np.float32))
        ys.append(np.full(len(windows), index[label], np.int32))
    x, y = np.concatenate(xs), np.concatenate(ys)
    counts = np.bincount(y, minlength=config.num_classes).astype(np.float32)
    present = max(1, int((counts > 0).sum()))
    weights = (len(y) / present) / counts[y]
    return x, y, weights.astype(np.float32)


class HeadTrainer:
    """One compiled temporal head, re-initialised for every fit.

    Args:
        config: the new bundle's config (labels, lstm_units, dropout, frame_wise).
        embed_dim: width of the cached embeddings.
        lr: the starting learning rate; each fit decays it along a cosine to 10%.
        batch: windows per batch.
        seed: seeds numpy, Python and the backend (initial weights, shuffling).
    """

    def __init__(self, config: ModelConfig, embed_dim: int, lr: float, batch: int, seed: int) -> None:
        from model.backend import import_keras
        from model.nets.cnn_lstm import build_temporal_head
        from model.train.classifier import set_seed

        self._keras = import_keras()
        set_seed(seed)
        self.lr, self.batch = lr, batch
        # Frame-wise heads answer per step; training on the last step matches what the engine shows.
        self.head = build_temporal_head(config.replace(frame_wise=False), embed_dim)
        # Unrolled over a fixed window, the same weights train about a quarter faster on CPU.
        self.head = _unrolled(self.head, window_steps(config))
        self.head.compile(optimizer=self._keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                          weighted_metrics=["accuracy"])
        self._initial = self.head.get_weights()
        self._rng = np.random.default_rng(seed)

    def fit(self, x: np.ndarray, y: np.ndarray, weights: np.ndarray, epochs: int,
            on_epoch: Callable[[int, dict], None] | None = None) -> None:
        """Trains from the initial weights on windows `x` (n, steps, embed_dim).

        All passes run as one Keras epoch over `epochs` shuffled copies of the
        windows: Keras spends about 0.1 s setting up each of its epochs, more than
        a pass over a few hundred windows costs. The learning rate follows a
        cosine from `lr` to 10% of it, set per batch.

        Args:
            x: training windows.
            y: int label indices (n,).
            weights: per-window weights (n,).
            epochs: passes over the windows.
            on_epoch: called as on_epoch(pass, {"loss", "accuracy"}) after each pass,
                with that pass's means.
        """
        keras = self._keras
        self.head.set_weights(self._initial)
        for var in self.head.optimizer.variables:  # fresh Adam moments and step count per fit
            var.assign(np.zeros(var.shape, var.dtype))
        order = np.concatenate([self._rng.permutation(len(x)) for _ in range(epochs)])
        total = -(-len(order) // self.batch)
        ends = {int(round(total * (k + 1) / epochs)) - 1: k for k in range(epochs)}
        done = {"batches": 0, "loss": 0.0, "accuracy": 0.0}

        def set_lr(batch: int, logs=None) -> None:
            # An assignment to the optimizer's variable: the traced step never retraces.
            self.head.optimizer.learning_rate = self.lr * (0.1 + 0.45 * (1.0 + math.cos(math.pi * batch / total)))

        def report(batch: int, logs=None) -> None:
            if batch not in ends or on_epoch is None:
                return
            # Keras logs running means over its epoch; this pass's mean is the difference of sums.
            logs, n = logs or {}, batch + 1 - done["batches"]
            means = {k: (logs.get(k, 0.0) * (batch + 1) - done[k]) / max(1, n) for k in ("loss", "accuracy")}
            done.update(batches=batch + 1, loss=logs.get("loss", 0.0) * (batch + 1),
                        accuracy=logs.get("accuracy", 0.0) * (batch + 1))
            on_epoch(ends[batch], means)

        callback = keras.callbacks.LambdaCallback(on_train_batch_begin=set_lr, on_train_batch_end=report)
        self.head.fit(x[order], y[order], sample_weight=weights[order], batch_size=self.batch, epochs=1,
                      shuffle=False, verbose=0, callbacks=[callback])

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """Class probabilities (n, classes) for windows (n, steps, embed_dim)."""
        out = [np.asarray(self.head.predict_on_batch(windows[i : i + _PREDICT_CHUNK]))
               for i in range(0, len(windows), _PREDICT_CHUNK)]
        return np.concatenate(out) if out else np.zeros((0, self.head.output.shape[-1]), np.float32)


def _unrolled(head, steps: int):
    """`head` rebuilt for windows of exactly `steps`, its recurrent layers unrolled (same weights)."""
    from model.backend import import_keras

    keras = import_keras()
    config = head.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "InputLayer":
            shape = list(layer["config"]["batch_shape"])
            layer["config"]["batch_shape"] = [shape[0], steps, *shape[2:]]
        elif "unroll" in layer["config"]:
            layer["config"]["unroll"] = True
    return keras.Model.from_config(config)


def full_classifier(config: ModelConfig, encoder, head):
    """The ordinary classifier around the base encoder and a trained head.

    Args:
        config: the new bundle's config.
        encoder: the base bundle's per-frame encoder (frozen; its weights are kept).
        head: a trained head from `HeadTrainer` (same labels and sizes as `config`).

    Returns:
        A model mapping (batch, time, h, w, c) to (batch, classes), built by
        `build_cnn_lstm` as any trained bundle's is, so it saves, loads in safe
        mode and splits for the live engine like one.
    """
    from model.nets.cnn_lstm import HEAD_NAME, build_cnn_lstm

    model = build_cnn_lstm(config, encoder=encoder)
    model.get_layer(HEAD_NAME).set_weights(head.get_weights())
    return model
