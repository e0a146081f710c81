"""Exports a classifier to ONNX, TFLite or a TensorFlow SavedModel, and checks the copy.

Every export is run once on the same random window as the Keras model, and the
largest absolute difference between the two outputs is returned, so a broken
conversion shows up as a number rather than as wrong labels in someone's app.

What each format needed here (TensorFlow 2.21, Keras 3.15, tf2onnx 1.17):

- onnx: `tf2onnx.convert.from_function` on a `tf.function` with input signature
  (None, None, h, w, c). Batch and time stay dynamic; the `ops.shape` reshape in
  `FoldTimeDistributed` converts as is. Checked with onnxruntime.
- tflite: the converter cannot lower the LSTM's TensorList ops while the batch
  axis is None ("TensorListReserve requires element_shape to be static").
  Calling the model on a new `keras.Input(batch_size=1, shape=(T, h, w, c))`
  fixes batch and time, and then builtin ops suffice (no SELECT_TF_OPS; it is
  only used as a fallback, and reported, if the builtins fail). The exported
  model therefore takes exactly (1, T, h, w, c). Checked with tf.lite.Interpreter.
- savedmodel: Keras 3 `model.export` (an ExportArchive with a `serve` endpoint
  and a `serving_default` signature, batch and time dynamic); checked by
  reloading with `tf.saved_model.load`.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np

from model.bundle import CLASSIFIER_FILE, Bundle, load_bundle
from model.bundle_files import load_keras_model
from model.config import ModelConfig

FORMATS = ("onnx", "tflite", "savedmodel")
# Opset 17 is old enough for every onnxruntime of the last years and has all ops used here.
ONNX_OPSET = 17
_SUFFIX = {"onnx": ".onnx", "tflite": ".tflite", "savedmodel": ""}
_EXPORT_HINT = "Install the exporters with: pip install 'actionlens[export]'"


class ExportError(ValueError):
    """An export was asked for wrongly, or its tools are missing; the message says what to do."""


def export_model(
    bundle_or_model_path,
    fmt: str,
    out_path: str | Path,
    *,
    window: int | None = None,
    seed: int = 0,
) -> dict:
    """Exports a classifier and checks the export against Keras.

    Args:
        bundle_or_model_path: a bundle folder, a `.keras` file, a loaded `Bundle`
            or a Keras model mapping (batch, time, h, w, c) to (batch, classes).
        fmt: "onnx", "tflite" or "savedmodel".
        out_path: the file to write (onnx, tflite) or folder (savedmodel). An
            existing folder given for onnx/tflite gets `classifier.<fmt>` inside.
        window: frames T in the check window (1, T, h, w, c); tflite bakes it
            into the model. Defaults to the model config's `frames`.
        seed: seed of the random check window.

    Returns:
        {"format", "path", "max_abs_diff", "bytes", "window"}: the largest
        absolute difference between Keras and the export on the check window,
        and the size of what was written. tflite also has "select_tf_ops": True
        when the builtin ops were not enough.

    Raises:
        ExportError: unknown `fmt`, bad `window`, or missing exporter packages.
        BundleError: the model is missing or cannot be loaded.
    """
    if fmt not in FORMATS:
        raise ExportError(f"`fmt` must be one of {', '.join(FORMATS)}. Received: fmt={fmt!r}")
    if fmt == "onnx":
        _require_onnx()
    model, config = _load_model(bundle_or_model_path)
    frame_shape = tuple(int(d) for d in model.input.shape[2:])
    window = _check_window(window, config, model)
    out = _output_path(Path(out_path), fmt)
    x = np.random.default_rng(seed).random((1, window, *frame_shape), dtype=np.float32)
    expected = _keras_predict(model, x)
    extra: dict = {}
    if fmt == "onnx":
        got = _export_onnx(model, frame_shape, out, x)
    elif fmt == "tflite":
        got, select_tf_ops = _export_tflite(model, window, frame_shape, out, x)
        if select_tf_ops:
            extra["select_tf_ops"] = True
    else:
        got = _export_savedmodel(model, out, x)
    return {
        "format": fmt,
        "path": str(out),
        "max_abs_diff": float(np.max(np.abs(np.asarray(got) - expected))),
        "bytes": _size(out),
        "window": window,
        **extra,
    }


def _keras_predict(model, x: np.ndarray) -> np.ndarray:
    from model.backend import import_keras

    return import_keras().ops.convert_to_numpy(model(x, training=False))


def _require_onnx() -> None:
    try:
        import onnxruntime  # noqa: F401
        import tf2onnx  # noqa: F401
    except ImportError as err:
        raise ExportError(f"ONNX export needs tf2onnx and onnxruntime ({err}). {_EXPORT_HINT}") from None


def _load_model(source) -> tuple[object, ModelConfig | None]:
    if isinstance(source, Bundle):
        return source.classifier, source.config
    if not isinstance(source, (str, Path)):
        if not hasattr(source, "input"):
            raise ExportError(
                "`bundle_or_model_path` must be a bundle folder, a .keras file, a Bundle or a "
                f"Keras model. Received: {type(source).__name__}"
            )
        return source, None
    path = Path(source)
    if path.is_file() and path.suffix == ".keras":
        if path.name == CLASSIFIER_FILE and (path.parent / "config.json").is_file():
            path = path.parent  # a bundle's own classifier: load it with its config
        else:
            return load_keras_model(path), None
    bundle = load_bundle(path, load_predictor=False)
    return bundle.classifier, bundle.config


def _check_window(window: int | None, config: ModelConfig | None, model) -> int:
    fixed = model.input.shape[1]
    if window is None:
        return int(fixed or (config or ModelConfig()).frames)
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:
        raise ExportError(f"`window` must be a positive number of frames. Received: window={window!r}")
    if fixed is not None and window != fixed:
        raise ExportError(
            f"`window` must be {fixed}: this model takes exactly {fixed} frames. "
            f"Received: window={window}"
        )
    if config is not None and not config.min_frames <= window <= config.max_frames:
        raise ExportError(
            f"`window` must be in [{config.min_frames}, {config.max_frames}], the range this "
            f"model was trained for (default {config.frames}). Received: window={window}"
        )
    return int(window)


def _output_path(out: Path, fmt: str) -> Path:
    if fmt == "savedmodel":
        if out.is_file():
            raise ExportError(
                f"`out_path` must be a folder for a SavedModel, but {out} is a file. "
                f"Received: out_path={str(out)!r}"
            )
    elif out.is_dir():
        out = out / f"classifier{_SUFFIX[fmt]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


@contextlib.contextmanager
def _quiet():
    # The converters print artefact paths and deprecation notices that are not the user's business.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _export_onnx(model, frame_shape: tuple, out: Path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx

    spec = (tf.TensorSpec((None, None, *frame_shape), tf.float32, name="frames"),)

    @tf.function(input_signature=spec)
    def serve(frames):
        return {"probs": model(frames, training=False)}

    with _quiet():
        tf2onnx.convert.from_function(serve, input_signature=spec, opset=ONNX_OPSET, output_path=str(out))
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    return session.run(["probs"], {"frames": x})[0]


def _export_tflite(model, window: int, frame_shape: tuple, out: Path, x: np.ndarray):
    from model.backend import import_keras

    keras = import_keras()
    import tensorflow as tf

    # Calling the model on a fully static input traces every op, the LSTM loop
    # included, with known shapes; the weights are the model's own, not copies.
    frames = keras.Input(batch_size=1, shape=(window, *frame_shape), name="frames")
    fixed = keras.Model(frames, model(frames, training=False), name=f"{model.name}_b1_t{window}")
    select_tf_ops = False
    with _quiet():
        try:
            flat = tf.lite.TFLiteConverter.from_keras_model(fixed).convert()
        except Exception:  # the converter's errors are many and untyped; retry with TF ops
            converter = tf.lite.TFLiteConverter.from_keras_model(fixed)
            converter.target_spec.supported_ops = [
                tf.lite.OpsSet.TFLITE_BUILTINS,
                tf.lite.OpsSet.SELECT_TF_OPS,
            ]
            converter._experimental_lower_tensor_list_ops = False
            flat = converter.convert()
            select_tf_ops = True
        out.write_bytes(flat)
        interpreter = tf.lite.Interpreter(model_path=str(out))
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    outp = interpreter.get_output_details()[0]
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(outp["index"]), select_tf_ops


def _export_savedmodel(model, out: Path, x: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    with _quiet():
        model.export(str(out), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(out))
    signature = loaded.signatures["serving_default"]
    (name,) = signature.structured_input_signature[1]
    (result,) = signature(**{name: tf.constant(x)}).values()
    return result.numpy()


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
