"""model/lite: a bundle's Keras models as TFLite files, each checked against Keras when written,
found stale when the Keras file changes, and converted once into a cache for a bundle without them."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from app.runtime.inference import CompiledModels
from app.runtime.lite_models import LiteModels
from model.bundle import load_bundle, save_bundle
from model.lite.bundle import load_lite_bundle
from model.lite.files import LITE_FILE, TOLERANCE, complete, current_parts
from model.lite.interpreter import TFLiteModel
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    convlstm_bundle_fixture,
    flow_bundle_fixture,
    plain_bundle_fixture,
    pose_bundle_fixture,
    tiny_bundle_fixture,
)


def _record(bundle):
    return json.loads((bundle / LITE_FILE).read_text())


@pytest.mark.parametrize("name, parts", [
    ("tiny_bundle", {"encoder", "head", "predictor"}),
    ("convlstm_bundle", {"classifier", "predictor"}),
    ("pose_bundle", {"encoder", "head", "predictor"}),
])
def test_save_bundle_writes_checked_tflite_parts(name, parts, request):
    bundle = request.getfixturevalue(name)
    record = _record(bundle)
    assert set(record["parts"]) == parts
    for entry in record["parts"].values():
        assert entry["ok"] and 0.0 <= entry["max_abs_diff"] <= TOLERANCE, entry
        assert (bundle / entry["file"]).is_file()
    assert complete(current_parts(bundle, bundle), bundle)


@pytest.mark.parametrize("name", ["tiny_bundle", "plain_bundle", "flow_bundle", "convlstm_bundle",
                                  "pose_bundle"])
def test_litert_gives_keras_numbers_on_every_call(name, request):
    bundle = request.getfixturevalue(name)
    lite = LiteModels(load_lite_bundle(bundle))
    keras = CompiledModels(load_bundle(bundle))
    cfg = lite.config
    rng = np.random.default_rng(3)
    for t in (cfg.min_frames, cfg.frames, cfg.max_frames):  # the head's time axis is free
        if lite.cached:
            x = rng.random((t, *cfg.encoder_frame_shape), dtype=np.float32)
            np.testing.assert_allclose(lite.embed_batch(x), keras.embed_batch(x), atol=1e-5)
            emb = keras.embed_batch(x)
            np.testing.assert_allclose(lite.classify_embeddings(emb), keras.classify_embeddings(emb),
                                       atol=1e-5)
        else:
            x = rng.random((t, *cfg.frame_shape), dtype=np.float32)
            np.testing.assert_allclose(lite.classify_window(x), keras.classify_window(x), atol=1e-5)
    frames = rng.random((cfg.predictor_frames, *cfg.frame_shape), dtype=np.float32)
    np.testing.assert_allclose(lite.predict_next(frames), keras.predict_next(frames), atol=1e-5)
    assert lite.embed_dim == keras.embed_dim and lite.motion == keras.motion


def test_a_changed_classifier_makes_its_parts_stale_and_a_new_save_renews_them(tiny_bundle, tmp_path):
    bundle = shutil.copytree(tiny_bundle, tmp_path / "bundle")
    before = _record(bundle)["parts"]
    keras = load_bundle(bundle, load_predictor=False)
    weights = keras.classifier.get_weights()
    keras.classifier.set_weights([w + 0.01 for w in weights])
    keras.classifier.save(bundle / "classifier.keras")  # changed by hand: lite.json is now stale
    parts = current_parts(bundle, bundle)
    assert set(parts) == {"predictor"} and not complete(parts, bundle)
    save_bundle(bundle, keras.config, keras.classifier)  # the predictor is kept, so is its file
    after = _record(bundle)["parts"]
    assert after["predictor"] == before["predictor"]
    assert after["head"]["source_sha256"] != before["head"]["source_sha256"]
    assert complete(current_parts(bundle, bundle), bundle)


def test_a_bundle_without_tflite_files_is_converted_once_into_the_cache(tiny_bundle, tmp_path):
    bundle = shutil.copytree(tiny_bundle, tmp_path / "old_bundle")
    for extra in ["encoder.tflite", "head.tflite", "predictor.tflite", LITE_FILE]:
        (bundle / extra).unlink()
    bundle.chmod(0o555)  # an installed bundle may be read-only: the cache takes the files
    try:
        lines: list[str] = []
        first = load_lite_bundle(bundle, progress=lines.append, cache=tmp_path / "cache")
        assert first.converted_to is not None and first.converted_to.parent == tmp_path / "cache"
        assert len(lines) == 1 and "converting once" in lines[0] and str(bundle) in lines[0]
        again = load_lite_bundle(bundle, progress=lines.append, cache=tmp_path / "cache")
        assert again.converted_to is None and len(lines) == 1 and again.parts == first.parts
        assert not (bundle / LITE_FILE).exists()
    finally:
        bundle.chmod(0o755)


def test_a_free_time_axis_resizes_and_a_wrong_shape_names_both(tiny_bundle):
    head = TFLiteModel(tiny_bundle / "head.tflite")
    assert head.input_signature[1] == -1
    width = head.input_signature[2]
    assert head(np.zeros((1, 9, width), np.float32))[0].shape[0] == 1
    assert head.input_shape == (1, 9, width)
    with pytest.raises(ValueError, match=rf"expected input of shape \(1, None, {width}\)\. "
                                         rf"Received: shape=\(1, 9, {width + 1}\)"):
        head(np.zeros((1, 9, width + 1), np.float32))


def test_a_window_shorter_than_the_predictors_context_is_padded(tiny_bundle):
    lite = LiteModels(load_lite_bundle(tiny_bundle))
    frames = np.random.default_rng(0).random((2, *lite.config.frame_shape), dtype=np.float32)
    padded = np.concatenate([np.repeat(frames[:1], lite.config.predictor_frames - 2, axis=0), frames])
    np.testing.assert_array_equal(lite.predict_next(frames), lite.predict_next(padded))


def test_a_recorded_conversion_failure_is_not_retried_on_every_load(tiny_bundle, tmp_path):
    from model.lite.bundle import LiteUnavailable, _key
    from model.lite.files import file_sha256, keras_hashes

    bundle = shutil.copytree(tiny_bundle, tmp_path / "bundle")
    (bundle / LITE_FILE).unlink()
    cache = tmp_path / "cache"
    folder = cache / _key(keras_hashes(bundle))
    folder.mkdir(parents=True)
    sha = file_sha256(bundle / "classifier.keras")
    (folder / LITE_FILE).write_text(json.dumps({"format": 1, "parts": {
        "head": {"file": "head.tflite", "source_sha256": sha, "ok": False, "error": "no such op"}}}))
    lines: list[str] = []
    with pytest.raises(LiteUnavailable, match="head: no such op"):
        load_lite_bundle(bundle, progress=lines.append, cache=cache)
    assert lines == []  # no second attempt, no TensorFlow import for nothing


def test_auto_falls_back_to_keras_when_a_file_cannot_be_opened(tiny_bundle, tmp_path):
    from app.runtime.loader import build_processor
    from app.settings import EngineSettings
    from model.lite.bundle import LiteUnavailable

    bundle = shutil.copytree(tiny_bundle, tmp_path / "bundle")
    record = _record(bundle)
    (bundle / "head.tflite").write_bytes(b"not a model")
    record["parts"]["head"]["ok"] = True  # current by its hash, but unreadable
    (bundle / LITE_FILE).write_text(json.dumps(record))
    _, info, notice = build_processor(bundle, EngineSettings(predictor_every=0), device_request="cpu")
    assert info["runtime"] == "Keras" and "Running on Keras instead" in notice
    with pytest.raises(LiteUnavailable, match="head.tflite"):
        build_processor(bundle, EngineSettings(predictor_every=0), runtime_request="litert")
