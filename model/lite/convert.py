"""Converting a bundle's Keras models to TFLite, and checking each against Keras.

The classifier is written as its two halves when it splits (the per-frame
encoder, (1, *encoder_frame_shape) -> (1, embed_dim), and the temporal head,
(1, time, embed_dim) -> (1, classes) with time left free), else whole, (1, time,
h, w, c) -> (1, classes). The predictor is written for its fixed context,
(1, predictor_frames, h, w, c) -> (1, h, w, c).

Each model is converted from a concrete function, not from the model object:
handed the model as its trackable object, the converter keeps the weights as
resource variables, and LiteRT then fails at invoke (READ_VARIABLE inside the
LSTM's WHILE). The concrete function alone freezes them into constants.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from model.errors import first_line
from model.lite.files import (
    LITE_FILE,
    LITE_FORMAT,
    PARTS,
    TOLERANCE,
    current_parts,
    keras_hashes,
    read_lite_record,
)


def convert_keras(model, input_shape: tuple) -> bytes:
    """Converts one Keras model to TFLite with builtin ops only.

    Args:
        model: a Keras model with one input.
        input_shape: the input's shape with batch 1; None marks a free axis (time).

    Returns:
        The .tflite file's bytes.
    """
    from model.backend import import_keras

    import_keras()
    import tensorflow as tf

    fn = tf.function(lambda x: model(x, training=False))
    concrete = fn.get_concrete_function(tf.TensorSpec(input_shape, tf.float32))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def max_abs_difference(path: Path, model, samples: list[np.ndarray]) -> float:
    """The largest |LiteRT - Keras| over `samples`, each (1, ...) as the model takes it."""
    from model.lite.interpreter import TFLiteModel

    lite = TFLiteModel(path)
    worst = 0.0
    for x in samples:
        ours = lite(x)[0]
        # Eager, not predict_on_batch: the caller's model keeps its compiled function as it was.
        theirs = np.asarray(model(x, training=False))
        worst = max(worst, float(np.max(np.abs(ours - theirs))))
    return worst


def export_lite(bundle_folder: str | Path, out_folder: str | Path | None = None, *,
                classifier=None, predictor=None) -> dict:
    """Writes the TFLite parts of a bundle and its lite.json.

    Parts already in `out_folder` that came from the same Keras file are kept;
    the rest are converted from the models given, or from the bundle's .keras
    files. A part that fails to convert, or differs from Keras by more than
    `TOLERANCE`, is recorded as not ok with the reason, and the runtime uses
    Keras for that bundle.

    Args:
        bundle_folder: the bundle (its config.json and .keras files).
        out_folder: where to write (default: the bundle itself).
        classifier: the classifier just saved, to spare loading it again.
        predictor: the predictor just saved, likewise.

    Returns:
        The lite.json record: {"format", "parts": {name: {file, source_sha256,
        input_shape, max_abs_diff, ok[, error]}}, "tolerance", "written"}.
    """
    # bundle_files, not model.bundle: saving a bundle calls this, so this must not import that.
    from model.bundle_files import (
        CLASSIFIER_FILE,
        PREDICTOR_FILE,
        check_classifier,
        load_config,
        load_keras_model,
    )

    bundle_folder = Path(bundle_folder)
    out = Path(out_folder) if out_folder is not None else bundle_folder
    out.mkdir(parents=True, exist_ok=True)
    config = load_config(bundle_folder)
    hashes = keras_hashes(bundle_folder)
    old = read_lite_record(out).get("parts", {})
    current = current_parts(out, bundle_folder, hashes)  # kept as they are
    parts: dict[str, dict] = {}
    rng = np.random.default_rng(0)

    def keep_or_convert(name: str, keras_file: str, get_model, shape, sample_shapes) -> None:
        tflite = PARTS[name][0]
        entry = {"file": tflite, "source_sha256": hashes[keras_file], "input_shape": list(shape)}
        try:
            model = get_model()
            data = convert_keras(model, shape)
            tmp = out / f"{tflite}.{os.getpid()}.partial"  # two processes may convert one bundle
            tmp.write_bytes(data)
            tmp.replace(out / tflite)
            samples = [rng.random(s, dtype=np.float32) for s in sample_shapes]
            diff = max_abs_difference(out / tflite, model, samples)
            entry.update(max_abs_diff=diff, ok=diff <= TOLERANCE)
            if diff > TOLERANCE:
                entry["error"] = f"differs from Keras by {diff:.3g} (> {TOLERANCE:g})"
        except Exception as err:  # the converter raises many types; the bundle itself is fine
            entry.update(ok=False, error=first_line(err))
        parts[name] = entry

    loaded: dict[str, object] = {"classifier": classifier, "predictor": predictor}

    # Each file is loaded when a part needs it, once: current encoder and head files spare the classifier.
    def get_classifier():
        if loaded["classifier"] is None:
            loaded["classifier"] = load_keras_model(bundle_folder / CLASSIFIER_FILE)
            check_classifier(bundle_folder / CLASSIFIER_FILE, loaded["classifier"], config)
        return loaded["classifier"]

    def get_predictor():
        if loaded["predictor"] is None:
            loaded["predictor"] = load_keras_model(bundle_folder / PREDICTOR_FILE)
        return loaded["predictor"]

    windows = sorted({config.min_frames, config.frames})
    enc_shape = (1, *config.encoder_frame_shape)
    if {"encoder", "head"} <= set(current):
        parts["encoder"], parts["head"] = old["encoder"], old["head"]
    elif "classifier" in current:
        parts["classifier"] = old["classifier"]
    else:
        from model.nets.networks import split_classifier

        split = split_classifier(get_classifier())
        if split is not None:
            encoder, head = split
            embed_dim = int(encoder.output.shape[-1])
            keep_or_convert("encoder", CLASSIFIER_FILE, lambda: encoder, enc_shape, [enc_shape])
            keep_or_convert("head", CLASSIFIER_FILE, lambda: head, (1, None, embed_dim),
                            [(1, t, embed_dim) for t in windows])
        else:
            frame = config.classifier_frame_shape
            keep_or_convert("classifier", CLASSIFIER_FILE, get_classifier, (1, None, *frame),
                            [(1, t, *frame) for t in windows])
    if "predictor" in current:
        parts["predictor"] = old["predictor"]
    elif (bundle_folder / PREDICTOR_FILE).is_file():
        frame = tuple(get_predictor().input.shape[2:])
        if None in frame:
            frame = (config.size, config.size, frame[-1])
        pshape = (1, config.predictor_frames, *(int(d) for d in frame))
        keep_or_convert("predictor", PREDICTOR_FILE, get_predictor, pshape, [pshape])
    record = {"format": LITE_FORMAT, "parts": parts, "tolerance": TOLERANCE,
              "written": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = out / f"{LITE_FILE}.{os.getpid()}.partial"
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(out / LITE_FILE)
    return record

