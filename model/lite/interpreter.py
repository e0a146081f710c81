"""One TFLite model behind one call: LiteRT where it is installed, else TensorFlow's interpreter.

LiteRT (`ai-edge-litert`) runs the same work as `tf.lite.Interpreter` in about a
third of the time and a quarter of the memory, and does not import TensorFlow.
Where LiteRT publishes no wheel, TensorFlow's interpreter (deprecated, but
present wherever TensorFlow is) runs the models instead; `runtime_name` says which.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np

# LiteRT's C++ side writes this to the process's stderr on every allocation: a note, not news.
_DELEGATE_NOTE = b"INFO: Created TensorFlow Lite XNNPACK delegate"


@contextlib.contextmanager
def _without_delegate_note():
    """Holds what native code writes to fd 2 and passes it on without the delegate note."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all (a detached GUI): nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = b"".join(line for line in held.read().splitlines(keepends=True)
                            if not line.startswith(_DELEGATE_NOTE))
            if kept:
                os.write(2, kept)


def _interpreter_class():
    try:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter, "LiteRT"
    except ImportError:
        import tensorflow as tf

        return tf.lite.Interpreter, "TensorFlow Lite"


def runtime_name() -> str:
    """"LiteRT" when `ai-edge-litert` is installed, else "TensorFlow Lite"."""
    try:
        import ai_edge_litert.interpreter  # noqa: F401

        return "LiteRT"
    except ImportError:
        return "TensorFlow Lite"


class TFLiteModel:
    """A TFLite model with one input, called like a function.

    Args:
        path: the .tflite file.
        threads: interpreter threads; 2 matches the small machines this runs on.

    Attributes:
        input_shape: the input tensor's shape, e.g. (1, 256, 256, 3); with a free axis (-1
            in `input_signature`) the shape of the last input, None before the first.
        output_shapes: each output's shape at load.
        runtime_name: "LiteRT" or "TensorFlow Lite".
    """

    def __init__(self, path: str | Path, threads: int = 2):
        cls, self.runtime_name = _interpreter_class()
        self.path = Path(path)
        try:
            self._it = cls(model_path=str(path), num_threads=threads)
            inp = self._it.get_input_details()[0]
            self._input_index = inp["index"]
            # -1 marks an axis the model leaves free (a head's time axis): sized by the first
            # input. Allocating before that, at size 1, can overflow inside a ConvLSTM's loop.
            self.input_signature = tuple(int(d) for d in inp.get("shape_signature", inp["shape"]))
            self.input_shape: tuple[int, ...] | None = None
            if -1 not in self.input_signature:
                with _without_delegate_note():
                    self._it.allocate_tensors()
                self.input_shape = tuple(int(d) for d in inp["shape"])
        except (ValueError, RuntimeError) as err:
            raise ValueError(f"{path}: not a TFLite model this runtime can load ({err})") from None
        self._outputs = [(d["name"], d["index"]) for d in self._it.get_output_details()]
        self.output_shapes = [tuple(int(v) for v in d["shape"]) for d in self._it.get_output_details()]

    def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        """Runs the model once.

        Args:
            x: float32 of `input_shape`.

        Returns:
            Every output, in the model's order, as arrays the caller owns.
        """
        if tuple(x.shape) != self.input_shape:
            self._resize(tuple(x.shape))
        self._it.set_tensor(self._input_index, np.ascontiguousarray(x, np.float32))
        self._it.invoke()
        return [self._it.get_tensor(index) for _, index in self._outputs]

    def _resize(self, shape: tuple[int, ...]) -> None:
        # Reallocating costs a few ms, so only a new window length pays it, once.
        fits = len(shape) == len(self.input_signature) and all(
            want in (-1, got) for want, got in zip(self.input_signature, shape, strict=True))
        if not fits:
            expected = tuple(None if d == -1 else d for d in self.input_signature)
            raise ValueError(f"{self.path.name}: expected input of shape {expected}. "
                             f"Received: shape={shape}")
        self._it.resize_tensor_input(self._input_index, list(shape))
        with _without_delegate_note():
            self._it.allocate_tensors()
        self.input_shape = shape
