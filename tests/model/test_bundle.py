"""Model bundles: save/load round trip in safe mode, and every refusal names the file."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from model.bundle import (
    CARD_FILE,
    CLASSIFIER_FILE,
    CONFIG_FILE,
    LABELS_FILE,
    METRICS_FILE,
    PREDICTOR_FILE,
    BundleError,
    load_bundle,
    save_bundle,
)
from tests.engine_fixtures import pose_bundle_fixture  # noqa: F401

ARCHS = ("cnn_lstm", "convlstm", "renet")


def _windows(t: int, batch: int = 2, size: int = 16, c: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((batch, t, size, size, c), dtype=np.float32)


@pytest.fixture(scope="module")
def saved(keras, tmp_path_factory):
    """A complete cnn_lstm bundle with a predictor whose delta is not zero (so it is not a copy)."""
    from model.config import ModelConfig
    from model.nets.networks import build_classifier
    from model.nets.predictor import build_predictor

    cfg = ModelConfig(labels=("idle", "wave", "walk"), frames=8, size=16, embed_dim=8,
                      lstm_units=8, predictor_filters=4)
    classifier = build_classifier(cfg)
    predictor = build_predictor(cfg)
    delta = predictor.get_layer("delta")
    kernel, bias = delta.get_weights()
    delta.set_weights([np.random.default_rng(0).normal(0, 0.5, kernel.shape).astype(np.float32), bias])
    path = save_bundle(tmp_path_factory.mktemp("bundle") / "default", cfg, classifier, predictor,
                       metrics={"accuracy": 0.5})
    return path, cfg, classifier, predictor


@pytest.fixture
def bundle_copy(saved, tmp_path):
    """A private copy of the saved bundle that a test may break."""
    return shutil.copytree(saved[0], tmp_path / "copy")


def _error(path, **kwargs) -> str:
    with pytest.raises(BundleError) as err:
        load_bundle(path, **kwargs)
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_save_writes_every_file_and_no_partial_ones(saved):
    path = saved[0]
    names = sorted(p.name for p in path.iterdir())
    assert names == sorted([CLASSIFIER_FILE, PREDICTOR_FILE, CONFIG_FILE, LABELS_FILE, METRICS_FILE, CARD_FILE,
                            "encoder.tflite", "head.tflite", "predictor.tflite", "lite.json"])
    assert json.loads((path / LABELS_FILE).read_text()) == ["idle", "wave", "walk"]
    assert saved[1].summary() in (path / CARD_FILE).read_text()


def test_round_trip_gives_identical_outputs(saved):
    path, cfg, classifier, predictor = saved
    bundle = load_bundle(path)
    assert bundle.config == cfg
    assert bundle.labels == ("idle", "wave", "walk")
    assert bundle.metrics == {"accuracy": 0.5}
    assert "with next-frame predictor" in bundle.summary()
    for t in (4, 11):
        x = _windows(t, seed=t)
        np.testing.assert_array_equal(bundle.classifier.predict_on_batch(x), classifier.predict_on_batch(x))
        np.testing.assert_array_equal(bundle.predictor.predict_on_batch(x), predictor.predict_on_batch(x))


def test_loaded_classifier_still_splits_into_encoder_and_head(saved):
    from model.nets.networks import split_classifier

    model = load_bundle(saved[0], load_predictor=False).classifier
    encoder, head = split_classifier(model)
    x = _windows(6, seed=3)
    emb = encoder.predict_on_batch(x.reshape(-1, 16, 16, 1)).reshape(2, 6, -1)
    assert np.abs(head.predict_on_batch(emb) - model.predict_on_batch(x)).max() < 1e-5


def test_load_predictor_false_skips_it(saved):
    bundle = load_bundle(saved[0], load_predictor=False)
    assert bundle.predictor is None
    assert "no predictor" in bundle.summary()


@pytest.mark.parametrize("arch", ["convlstm", "renet"])
def test_other_architectures_round_trip(keras, saved, tmp_path, arch):
    from model.nets.networks import build_classifier

    cfg = saved[1].replace(arch=arch)
    classifier = build_classifier(cfg)
    bundle = load_bundle(save_bundle(tmp_path / arch, cfg, classifier))
    assert bundle.predictor is None
    x = _windows(5)
    np.testing.assert_array_equal(bundle.classifier.predict_on_batch(x), classifier.predict_on_batch(x))


def test_resave_without_predictor_or_metrics_keeps_the_old_ones(saved, bundle_copy):
    _, cfg, classifier, _ = saved
    save_bundle(bundle_copy, cfg, classifier)
    bundle = load_bundle(bundle_copy)
    assert bundle.predictor is not None
    assert bundle.metrics == {"accuracy": 0.5}


def test_lambda_layer_is_refused_naming_the_file(keras, saved, tmp_path):
    cfg = saved[1]
    frames = keras.Input((None, *cfg.frame_shape))
    last = keras.layers.Lambda(lambda x: x[:, -1])(frames)
    pooled = keras.layers.GlobalAveragePooling2D()(last)
    model = keras.Model(frames, keras.layers.Dense(cfg.num_classes, activation="softmax")(pooled))
    path = save_bundle(tmp_path / "lambda", cfg, model)
    msg = _error(path)
    assert msg.startswith(f"{path / CLASSIFIER_FILE}: contains a Lambda layer")
    assert "safe mode" in msg


def test_label_count_must_match_the_classifier_outputs(saved, bundle_copy):
    two = saved[1].replace(labels=("idle", "wave"))
    two.save(bundle_copy / CONFIG_FILE)
    (bundle_copy / LABELS_FILE).write_text(json.dumps(list(two.labels)))
    msg = _error(bundle_copy)
    assert msg.startswith(f"{bundle_copy / CLASSIFIER_FILE}:")
    assert "3 outputs" in msg and "names 2 labels" in msg and LABELS_FILE in msg


def test_config_frame_shape_must_match_the_saved_input(saved, bundle_copy):
    saved[1].replace(size=32).save(bundle_copy / CONFIG_FILE)
    msg = _error(bundle_copy)
    assert msg.startswith(f"{bundle_copy / CLASSIFIER_FILE}:")
    assert "(16, 16, 1)" in msg and "(32, 32, 1)" in msg and CONFIG_FILE in msg


def test_labels_json_must_agree_with_config(saved, bundle_copy):
    (bundle_copy / LABELS_FILE).write_text(json.dumps(["idle", "walk", "wave"]))
    msg = _error(bundle_copy)
    assert msg.startswith(f"{bundle_copy / LABELS_FILE}:")
    assert "differ" in msg


def test_folder_without_a_bundle_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    msg = _error(tmp_path / "empty")
    assert msg.startswith(f"{tmp_path / 'empty'}: not a model bundle")
    assert CLASSIFIER_FILE in msg


def test_missing_folder_is_named(tmp_path):
    msg = _error(tmp_path / "nowhere")
    assert msg.startswith(f"{tmp_path / 'nowhere'}: no such model folder")


@pytest.mark.parametrize("name", [CONFIG_FILE, LABELS_FILE])
def test_missing_config_or_labels_names_the_file(bundle_copy, name):
    (bundle_copy / name).unlink()
    msg = _error(bundle_copy)
    assert msg.startswith(f"{bundle_copy / name}: missing")


def test_unreadable_config_names_the_file(bundle_copy):
    (bundle_copy / CONFIG_FILE).write_text("{not json")
    assert _error(bundle_copy).startswith(f"{bundle_copy / CONFIG_FILE}: not readable JSON")


def test_invalid_config_names_the_file_and_the_problem(bundle_copy):
    data = json.loads((bundle_copy / CONFIG_FILE).read_text())
    data["arch"] = "transformer"
    (bundle_copy / CONFIG_FILE).write_text(json.dumps(data))
    msg = _error(bundle_copy)
    assert msg.startswith(f"{bundle_copy / CONFIG_FILE}:")
    assert "`arch` must be one of" in msg


def test_a_file_that_is_not_a_keras_model_is_named(bundle_copy):
    (bundle_copy / CLASSIFIER_FILE).write_bytes(b"not a zip file")
    assert _error(bundle_copy).startswith(f"{bundle_copy / CLASSIFIER_FILE}: not a .keras model file")


def test_bundle_error_is_a_value_error():
    assert issubclass(BundleError, ValueError)


def test_a_pose_bundle_of_an_older_feature_layout_is_refused_in_one_line(pose_bundle, tmp_path):  # noqa: F811
    from model.lite.bundle import load_lite_bundle
    from tests.cli_helpers import run

    old = shutil.copytree(pose_bundle, tmp_path / "old")
    data = json.loads((old / CONFIG_FILE).read_text())
    del data["pose_version"]  # as bundles made before version 2 were saved
    (old / CONFIG_FILE).write_text(json.dumps(data))
    msg = _error(old)
    assert msg.startswith(f"{old}: trained on pose features version 1") and "actionlens train" in msg
    with pytest.raises(BundleError):
        load_lite_bundle(old)
    # The command line says the same in one line, without a traceback.
    code, _, err = run("run", "--model", old, "--source", "nowhere.mp4")
    assert code == 2 and "pose features version 1" in err and "Traceback" not in err


def test_the_shipped_bundle_loads_in_a_process_that_imported_nothing_else():
    # Registration happens on import: a layer whose module only the trainer imports (the legs
    # gate once was) loads in the test process and fails in `actionlens run --runtime keras`.
    import subprocess
    import sys

    from app.paths import DEFAULT_MODEL

    code = ("import sys\nfrom model.bundle import load_bundle\n"
            "b = load_bundle(sys.argv[1])\nprint(b.classifier.output_shape[-1], len(b.config.labels))")
    out = subprocess.run([sys.executable, "-c", code, str(DEFAULT_MODEL)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]
    outputs, labels = out.stdout.split()
    assert outputs == labels


def test_the_loader_imports_every_module_that_registers_layers(tmp_path):
    # The shipped bundle's test above covers the layers it uses; this covers any module that
    # registers one, so a new layer file cannot be left out of `load_keras_model` again.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    registering = sorted(".".join(p.relative_to(root).with_suffix("").parts) for p in (root / "model").rglob("*.py")
                         if "register_keras_serializable(" in p.read_text())
    assert "model.nets.legs" in registering
    code = ("import sys\nfrom model.bundle_files import load_keras_model\n"
            "try:\n    load_keras_model(sys.argv[1])\nexcept ValueError:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('model.'))))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "none.keras")], capture_output=True,
                         text=True, timeout=300, cwd=root)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]
    assert set(registering) <= set(out.stdout.split())
