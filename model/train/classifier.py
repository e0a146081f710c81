"""Training a classifier on decoded clips; the model knows nothing of this file.

The loop is plain `model.fit` on a `tf.data` pipeline (model/data/pipeline.py).
After every epoch the best model so far is written as a complete bundle, so
a run stopped with Ctrl-C still leaves a loadable bundle behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.config import ModelConfig

STRATEGIES = ("none", "mirrored", "multiworker")


@dataclass(frozen=True)
class TrainSettings:
    """How to train; each default is what the shipped model used.

    Attributes:
        epochs: passes over `steps` batches.
        steps: batches per epoch (windows are sampled, so an epoch is a count, not the data).
        batch: windows per batch.
        lr: Adam learning rate at the start (cosine decay to 5% of it).
        idle_fraction: share of each batch that is idle windows.
        scramble_fraction: share of frame-shuffled action windows labelled as the
            background class (only when the config has one).
        balance_sources: within a class, draw each source (a clip's dataset) as often
            as any other, instead of each clip.
        seed: seeds numpy, Python and the backend.
        strategy: "none", "mirrored" (all GPUs of this machine) or "multiworker" (TF_CONFIG).
        logdir: TensorBoard log folder, or None.
        verbose: Keras fit verbosity (1 = progress bar).
    """

    epochs: int = 30
    steps: int = 60
    batch: int = 16
    lr: float = 3e-3
    # One window in eight is idle: enough to learn "nothing happens", not enough to drown actions.
    idle_fraction: float = 0.125
    # One in ten: the background class also sees the actions' own rooms, moving incoherently.
    scramble_fraction: float = 0.1
    balance_sources: bool = False
    seed: int = 1
    strategy: str = "none"
    logdir: str | None = None
    verbose: int = 1


def make_strategy(name: str):
    """Returns a tf.distribute strategy for `name` (one of `STRATEGIES`).

    "mirrored" replicates over every GPU of this machine, or, with none, over
    every logical CPU device (one unless configured otherwise, e.g. in tests).
    "multiworker" joins the workers TF_CONFIG lists (model/train/distributed.py),
    once per process.
    """
    if name not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {', '.join(STRATEGIES)}. Received: strategy={name!r}")
    from model.backend import import_keras

    import_keras()
    import tensorflow as tf

    if name == "mirrored":
        # MirroredStrategy() alone takes only CPU:0 when there is no GPU, whatever else is configured.
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "multiworker":
        from model.train.distributed import multiworker_strategy

        return multiworker_strategy()
    return tf.distribute.get_strategy()


def set_seed(seed: int) -> None:
    """Seeds numpy, Python's random and the Keras backend."""
    from model.backend import import_keras

    import_keras().utils.set_random_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))


def train_classifier(
    clips: Sequence[tuple[object, np.ndarray]],
    config: ModelConfig,
    settings: TrainSettings,
    *,
    val_clips: Sequence[tuple[object, np.ndarray]] = (),
    on_epoch_end=None,
):
    """Trains a classifier from `config` on decoded clips.

    Args:
        clips: (record, frames) pairs; frames uint8 (t, size, size, c) at the
            config's fps, and record.label one of `config.labels`.
        config: the model to build.
        settings: how long and how to train.
        val_clips: held-out clips; when given, the best epoch by validation
            window accuracy is kept, otherwise the last.
        on_epoch_end: optional callback(model, epoch, logs) after each epoch,
            e.g. to save the bundle so Ctrl-C keeps it.

    Returns:
        (model, history dict). The model holds the kept epoch's weights; under
        "multiworker" it is a plain copy that predicts on this worker alone.

    Raises:
        ClusterError: under "multiworker", workers disagree on the config or
            schedule, the batch does not split over them, or one is lost.
    """
    from model.backend import import_keras
    from model.data.pipeline import make_eval_windows, make_train_dataset
    from model.nets.networks import build_classifier
    from model.train import distributed

    keras = import_keras()
    set_seed(settings.seed)
    strategy = make_strategy(settings.strategy)
    with strategy.scope():
        model = build_classifier(config)
        total = settings.epochs * settings.steps
        schedule = keras.optimizers.schedules.CosineDecay(settings.lr, total, alpha=0.05)
        model.compile(
            optimizer=keras.optimizers.Adam(schedule),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    labelled = [(c, r.label) for r, c in clips]

    def stream(batch: int, seed: int):
        return make_train_dataset(
            labelled, config, batch_size=batch, steps_per_epoch=settings.steps, seed=seed,
            idle_fraction=settings.idle_fraction, scramble_fraction=settings.scramble_fraction,
            sources=[r.dataset for r, _ in clips] if settings.balance_sources else None,
        ).repeat()  # one pass is one epoch of `steps`; fit needs the stream to go on

    multiworker = distributed.is_multiworker(strategy)
    if multiworker:
        distributed.check_workers_agree(strategy, _agreed(config, settings))
        data, spec = distributed.distribute_batches(strategy, stream, settings.batch, settings.seed)
        distributed.prepare_model(model, strategy, spec)
    else:
        data = stream(settings.batch, settings.seed)
    val = None
    if val_clips:
        vx, vy, _ = make_eval_windows([(c, r.label) for r, c in val_clips], config, stride=4)
        val = (vx, vy)
    callbacks = [_KeepBest(on_epoch_end, monitor="val_accuracy" if val else None)]
    if settings.logdir:
        callbacks.append(keras.callbacks.TensorBoard(settings.logdir))
    with distributed.lost_contact() if multiworker else contextlib.nullcontext():
        history = model.fit(
            data, epochs=settings.epochs, steps_per_epoch=settings.steps, validation_data=val,
            callbacks=callbacks, verbose=settings.verbose,
            shuffle=False,  # the stream is already random; True only makes Keras warn about it
        )
    callbacks[0].restore(model)
    if multiworker:
        model = distributed.local_copy(model, lambda: build_classifier(config))
    return model, history.history


def _agreed(config: ModelConfig, settings: TrainSettings) -> str:
    """What every worker must share: the model and the schedule, not where each writes its logs."""
    return (f"{config!r} epochs={settings.epochs} steps={settings.steps} batch={settings.batch} "
            f"lr={settings.lr} idle={settings.idle_fraction} scramble={settings.scramble_fraction} "
            f"balance_sources={settings.balance_sources} seed={settings.seed}")


def _keep_best_class():
    from model.backend import import_keras

    keras = import_keras()

    class KeepBest(keras.callbacks.Callback):
        """Remembers the best epoch's weights and hands each new best to `on_best`."""

        def __init__(self, on_best, monitor: str | None):
            super().__init__()
            self.on_best = on_best
            self.monitor = monitor
            self.best = -np.inf
            self.weights = None

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            # Without validation data, later is better: the last epoch is kept.
            score = logs.get(self.monitor, -np.inf) if self.monitor else epoch
            if score >= self.best:
                self.best = score
                self.weights = self.model.get_weights()
                if self.on_best is not None:
                    self.on_best(self.model, epoch, logs)

        def restore(self, model):
            if self.weights is not None:
                model.set_weights(self.weights)

    return KeepBest


def _KeepBest(on_best, monitor):  # noqa: N802 - built lazily so importing this file skips Keras
    return _keep_best_class()(on_best, monitor)


@contextlib.contextmanager
def interrupt_note(out_dir: str | Path):
    """Turns Ctrl-C during training into a note on what was kept, then re-raises.

    Args:
        out_dir: the bundle folder that `on_epoch_end` saves to.
    """
    try:
        yield
    except KeyboardInterrupt:
        # Before the first epoch ends nothing has been saved, and saying otherwise sends people
        # looking for a bundle that is not there.
        from model.bundle import CLASSIFIER_FILE

        if (Path(out_dir) / CLASSIFIER_FILE).is_file():
            note = f"the best model so far is saved in {out_dir}"
        else:
            note = f"no epoch finished, so nothing was saved to {out_dir}"
        print(f"\ninterrupted: {note}", file=sys.stderr)
        raise
