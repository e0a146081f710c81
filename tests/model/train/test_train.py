"""The training loop: the kept epoch, Ctrl-C notes, and MirroredStrategy over two devices."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from model.data.manifests import ClipRecord
from model.train.classifier import (
    TrainSettings,
    _KeepBest,
    interrupt_note,
    make_strategy,
    train_classifier,
)
from tests.paths import REPO

ROOT = REPO


def _clips(config, n: int = 4, seed: int = 0):
    """(record, uint8 (10, size, size, 1)) pairs: `wave` clips bright, `walk` clips dark."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        label = ("wave", "walk")[i % 2]
        base = 180 if label == "wave" else 40
        frames = rng.integers(base - 30, base + 30, (10, config.size, config.size, 1)).astype(np.uint8)
        out.append((ClipRecord(Path(f"{label}{i}.avi"), label, f"p{i}"), frames))
    return out


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match=r"one of none, mirrored, multiworker. Received: strategy='tpu'"):
        make_strategy("tpu")


def test_keep_best_hands_over_each_new_best_and_restores_it(keras):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    saved = []
    keep = _KeepBest(lambda m, epoch, logs: saved.append(epoch), monitor="val_accuracy")
    keep.set_model(model)
    for epoch, score in enumerate((0.5, 0.4, 0.6, 0.6)):
        model.set_weights([np.full((2, 1), epoch, np.float32), np.zeros(1, np.float32)])
        keep.on_epoch_end(epoch, {"val_accuracy": score})
    assert saved == [0, 2, 3]  # a tie counts as better: later weights have seen more data
    model.set_weights([np.zeros((2, 1), np.float32), np.zeros(1, np.float32)])
    keep.restore(model)
    assert model.get_weights()[0][0, 0] == 3


def test_train_classifier_keeps_the_saved_epoch_and_reports_validation(tiny_config):
    config = tiny_config.replace(frames=4, min_frames=2)
    saved = []

    def on_epoch_end(model, epoch, logs):
        saved.append((epoch, [w.copy() for w in model.get_weights()], dict(logs)))

    model, history = train_classifier(
        _clips(config), config, TrainSettings(epochs=2, steps=2, batch=4, verbose=0),
        val_clips=_clips(config, seed=1), on_epoch_end=on_epoch_end,
    )
    assert np.isfinite(history["loss"]).all() and len(history["loss"]) == 2
    assert saved[0][0] == 0 and "val_accuracy" in saved[0][2]
    # The returned model holds the weights that were last handed to on_epoch_end (the kept epoch).
    for got, kept in zip(model.get_weights(), saved[-1][1], strict=True):
        np.testing.assert_array_equal(got, kept)
    assert model.output.shape[-1] == 3


@pytest.mark.parametrize("saved", [True, False])
def test_interrupt_note_says_what_was_kept_and_reraises(tmp_path, capsys, saved):
    if saved:
        (tmp_path / "classifier.keras").write_bytes(b"x")
    with pytest.raises(KeyboardInterrupt), interrupt_note(tmp_path):
        raise KeyboardInterrupt
    err = capsys.readouterr().err
    if saved:
        assert f"the best model so far is saved in {tmp_path}" in err
    else:
        assert f"no epoch finished, so nothing was saved to {tmp_path}" in err


_MIRRORED = textwrap.dedent(
    """
    import math, sys
    sys.path.insert(0, {root!r})
    from model.backend import import_keras

    import_keras()
    import tensorflow as tf

    # Logical devices must be set before TensorFlow initialises its runtime.
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np
    from pathlib import Path
    from model.config import ModelConfig
    from model.data.manifests import ClipRecord
    from model.train.classifier import TrainSettings, train_classifier

    config = ModelConfig(labels=("idle", "a", "b"), frames=4, size=16, embed_dim=8, lstm_units=8)
    rng = np.random.default_rng(0)
    clips = [(ClipRecord(Path(f"{{i}}.avi"), "ab"[i % 2], f"p{{i}}"),
              rng.integers(0, 256, (10, 16, 16, 1), dtype=np.uint8)) for i in range(4)]
    model, history = train_classifier(
        clips, config, TrainSettings(strategy="mirrored", epochs=1, steps=2, batch=4, verbose=0))
    print("replicas", model.distribute_strategy.num_replicas_in_sync)
    print("loss", history["loss"][-1])
    """
)


def test_mirrored_strategy_trains_over_two_logical_cpus():
    proc = subprocess.run(
        [sys.executable, "-c", _MIRRORED.format(root=str(ROOT))],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert lines["replicas"] == "2"
    assert np.isfinite(float(lines["loss"]))
