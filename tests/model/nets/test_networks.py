"""The three classifiers: output shapes for any window length, encoder+head split, backends."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from model.shapes import ShapeError
from tests.paths import REPO

ROOT = REPO
ARCHS = ("cnn_lstm", "convlstm", "renet")
NETWORK_FILES = ("cnn_lstm", "convlstm", "renet", "predictor", "layers", "networks")


def _windows(t: int, batch: int = 2, size: int = 16, c: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((batch, t, size, size, c), dtype=np.float32)


@pytest.fixture(scope="module")
def networks(keras):
    import model.nets.networks

    return model.nets.networks


@pytest.mark.parametrize("frame_wise", [False, True], ids=["window", "frame_wise"])
@pytest.mark.parametrize("arch", ARCHS)
def test_any_window_length_runs_on_the_same_weights(networks, tiny_config, arch, frame_wise):
    cfg = tiny_config.replace(arch=arch, frame_wise=frame_wise)
    model = networks.build_classifier(cfg)
    assert tuple(model.input.shape) == (None, None, 16, 16, 1)  # time is None
    for t in (4, 16, 32):
        probs = model.predict_on_batch(_windows(t))
        want = (2, t, 3) if frame_wise else (2, 3)
        assert probs.shape == want, f"{arch} T={t}"
        np.testing.assert_allclose(probs.sum(axis=-1), 1.0, atol=1e-5)


def test_rgb_config_builds_a_three_channel_model(networks, tiny_config):
    model = networks.build_classifier(tiny_config.replace(color="rgb", size=32))
    assert tuple(model.input.shape) == (None, None, 32, 32, 3)
    assert model.predict_on_batch(_windows(4, size=32, c=3)).shape == (2, 3)


def test_input_shape_sets_frame_size_and_colour(networks, tiny_config):
    model = networks.build_classifier(tiny_config, input_shape=(None, 32, 32, 3))
    assert tuple(model.input.shape) == (None, None, 32, 32, 3)


def test_hidden_layer_sizes_as_input_shape_raise_shape_error(networks, tiny_config):
    with pytest.raises(ShapeError) as err:
        networks.build_classifier(tiny_config, input_shape=(4, 64))
    msg = str(err.value)
    assert "`input_shape`" in msg
    assert "Received: input_shape=(4, 64)." in msg
    assert "hidden-layer sizes" in msg


def test_every_time_distributed_layer_folds_time_into_batch(networks, tiny_config, keras):
    from model.nets.layers import FoldTimeDistributed

    for arch in ARCHS:
        model = networks.build_classifier(tiny_config.replace(arch=arch))
        wrapped = [la for la in model.layers if isinstance(la, keras.layers.TimeDistributed)]
        assert wrapped, arch
        for layer in wrapped:
            # Keras's own TimeDistributed returns the wrong frame count after a retrace.
            assert isinstance(layer, FoldTimeDistributed), f"{arch}: {layer.name}"


def _split_matches_full(networks, model, t: int) -> float:
    encoder, head = networks.split_classifier(model)
    x = _windows(t, batch=3, seed=t)
    full = model.predict_on_batch(x)
    emb = encoder.predict_on_batch(x.reshape(-1, *x.shape[2:])).reshape(3, t, -1)
    return float(np.abs(head.predict_on_batch(emb) - full).max())


@pytest.mark.parametrize("frame_wise", [False, True], ids=["window", "frame_wise"])
@pytest.mark.parametrize("arch", ["cnn_lstm", "renet"])
def test_encoder_then_head_equals_the_full_model(networks, tiny_config, arch, frame_wise):
    model = networks.build_classifier(tiny_config.replace(arch=arch, frame_wise=frame_wise))
    split = networks.split_classifier(model)
    assert split is not None
    encoder, head = split
    assert tuple(encoder.output.shape) == (None, 8)
    assert tuple(head.input.shape) == (None, None, 8)
    # T=16 first, then T=4: the second call runs a function traced with unknown batch and time.
    for t in (16, 4):
        assert _split_matches_full(networks, model, t) < 1e-5, f"T={t}"


def test_convlstm_cannot_be_split(networks, tiny_config):
    assert networks.split_classifier(networks.build_classifier(tiny_config.replace(arch="convlstm"))) is None


def test_fold_time_distributed_keeps_every_frame_after_a_retrace(networks, tiny_config, keras):
    """Regression: Keras's TimeDistributed gave (2, 2, 8) for a (2, 4, ...) input here."""
    from model.nets.cnn_lstm import build_frame_encoder
    from model.nets.layers import FoldTimeDistributed

    encoder = build_frame_encoder(tiny_config)
    frames = keras.Input((None, *tiny_config.frame_shape))
    model = keras.Model(frames, FoldTimeDistributed(encoder)(frames))
    for batch, t in ((2, 16), (3, 4), (1, 7)):
        x = _windows(t, batch=batch, seed=batch)
        out = model.predict_on_batch(x)
        assert out.shape == (batch, t, 8)
        per_frame = encoder.predict_on_batch(x.reshape(-1, *x.shape[2:])).reshape(batch, t, 8)
        np.testing.assert_allclose(out, per_frame, atol=1e-6)


def test_fold_time_distributed_forwards_training(keras):
    from model.nets.layers import FoldTimeDistributed

    layer = FoldTimeDistributed(keras.layers.Dropout(0.5))
    x = np.ones((2, 6, 4, 4, 1), np.float32)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)
    dropped = keras.ops.convert_to_numpy(layer(x, training=True))
    assert dropped.shape == x.shape
    assert np.any(dropped == 0.0)


def test_network_files_use_keras_ops_not_tensorflow():
    pattern = re.compile(r"^\s*(import|from)\s+tensorflow\b|\btf\.", re.MULTILINE)
    for name in NETWORK_FILES:
        text = (ROOT / "model" / "nets" / f"{name}.py").read_text()
        hits = [m.group(0).strip() for m in pattern.finditer(text)]
        assert not hits, f"model/nets/{name}.py uses TensorFlow directly: {hits}"


_BACKEND_SCRIPT = textwrap.dedent(
    """
    import os
    import numpy as np
    from model.backend import import_keras

    keras = import_keras()
    assert keras.backend.backend() == os.environ["KERAS_BACKEND"], keras.backend.backend()
    from model.config import ModelConfig
    from model.nets.networks import build_classifier
    from model.nets.predictor import build_predictor

    cfg = ModelConfig(labels=("a", "b", "c"), size=16, embed_dim=8, lstm_units=8, predictor_filters=4)
    x = np.random.default_rng(0).random((2, 5, 16, 16, 1), dtype=np.float32)
    for arch in ("cnn_lstm", "convlstm", "renet"):
        y = np.asarray(build_classifier(cfg.replace(arch=arch)).predict_on_batch(x))
        assert y.shape == (2, 3), (arch, y.shape)
        assert np.allclose(y.sum(axis=-1), 1.0, atol=1e-5), arch
    y = np.asarray(build_predictor(cfg).predict_on_batch(x))
    assert y.shape == (2, 16, 16, 1), y.shape
    assert np.allclose(y, x[:, -1], atol=1e-6)
    print("built and ran on", keras.backend.backend())
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_networks_build_and_run_under_backend(backend):
    # The tensorflow run proves the script itself; the jax run proves keras.ops-only code.
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed; `pip install {backend}` to run the check under KERAS_BACKEND={backend}")
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _BACKEND_SCRIPT], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"built and ran on {backend}" in proc.stdout
