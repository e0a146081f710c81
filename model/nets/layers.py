"""Custom layers, each registered so a saved model loads in Keras safe mode.

They replace the `Lambda` layers older examples use: a Lambda stores Python
bytecode, which safe mode refuses to load.
"""

from __future__ import annotations

from model.backend import import_keras

keras = import_keras()  # quiet: TF prints import noise otherwise
ops = keras.ops


PACKAGE = "actionlens"


@keras.saving.register_keras_serializable(package=PACKAGE)
class LastFrame(keras.layers.Layer):
    """Takes the last time step of a sequence.

    Input shape:
        (batch, time, ...)

    Output shape:
        (batch, ...)
    """

    def call(self, inputs):
        return inputs[:, -1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])


@keras.saving.register_keras_serializable(package=PACKAGE)
class MotionPairs(keras.layers.Layer):
    """Pairs each frame with its change from the previous frame.

    Frame k of the output is concat(x[k], x[k] - x[k-1]) on the channel axis,
    for k = 1 .. T-1: the first frame has no predecessor inside the window, so
    it is used only as the reference for the second. The live engine builds
    the same pair per frame with `model.preprocess.motion_pair`, which is why the cached path and
    the full model agree exactly.

    Input shape:
        (batch, time, h, w, c), time >= 2

    Output shape:
        (batch, time - 1, h, w, 2c)
    """

    def call(self, inputs):
        current, previous = inputs[:, 1:], inputs[:, :-1]
        return ops.concatenate([current, current - previous], axis=-1)

    def compute_output_shape(self, input_shape):
        time = None if input_shape[1] is None else input_shape[1] - 1
        return (input_shape[0], time, *input_shape[2:-1], input_shape[-1] * 2)


@keras.saving.register_keras_serializable(package=PACKAGE)
class ClipValues(keras.layers.Layer):
    """Clips values to [`low`, `high`], so a predicted frame stays a valid image.

    Args:
        low: smallest value kept.
        high: largest value kept.

    Input shape:
        any. Output shape: the same.
    """

    def __init__(self, low: float = 0.0, high: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.low = float(low)
        self.high = float(high)

    def call(self, inputs):
        return ops.clip(inputs, self.low, self.high)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}


@keras.saving.register_keras_serializable(package=PACKAGE)
class FoldTimeDistributed(keras.layers.TimeDistributed):
    """TimeDistributed that folds time into the batch axis and runs the layer once.

    Keras 3's TimeDistributed maps the wrapped layer over time with
    `vectorized_map` when the time axis is None. On TensorFlow, inside a traced
    function whose batch and time axes are both unknown, that path returned the
    wrong number of frames here (a (2, 4, 64, 64, 1) input gave (2, 2, 64)), and
    `predict_on_batch` retraces with unknown axes as soon as the window length
    changes. Folding (batch, time) into one axis is exact for any per-frame
    layer, needs no loop, and is one batched call instead of `time` calls.

    Args:
        layer: the per-frame layer or model.

    Input shape:
        (batch, time, *frame_shape)

    Output shape:
        (batch, time, *layer_output_shape)
    """

    def call(self, inputs, training=None, mask=None):
        shape = ops.shape(inputs)
        batch, time = shape[0], shape[1]
        folded = ops.reshape(inputs, (-1, *inputs.shape[2:]))
        kwargs = {"training": training} if self.layer._call_has_training_arg else {}
        out = self.layer(folded, **kwargs)
        return ops.reshape(out, (batch, time, *out.shape[1:]))
