"""Custom layers, each registered so a saved model loads in Keras safe mode.

They replace the `Lambda` layers older examples use: a Lambda stores Python
bytecode, which safe mode refuses to load.
"""

from __future__ import annotations

import math

from model.backend import import_keras

keras = import_keras()  # quiet: TF prints import noise otherwise
ops = keras.ops


PACKAGE = "actionlens"


def moved_to_others(probs, gated, off):
    """Probabilities (batch, classes) with the `gated` class indices' share moved, in proportion, to
    the other classes where `off` (batch, 1) is 1.0 (as they are where it is 0.0); all near 0 when a
    gated class had it all, which the app shows as `unknown`."""
    classes = probs.shape[-1]
    mask = ops.convert_to_tensor([1.0 if k in gated else 0.0 for k in range(classes)], probs.dtype)
    kept = probs * (1.0 - mask * off)
    return kept / ops.maximum(ops.sum(kept, axis=-1, keepdims=True), 1e-6)


class PoseColumns(keras.layers.Layer):
    """Base of the layers that read bones' picture (x, y) columns of a pose feature vector and its
    person flag (`model.nets.legs.LegsSeen`, `model.nets.repeats.ArmBones`).

    Args:
        columns: the picture (x, y) columns of the bones, in pairs.
        presence: the column of the person flag.
    """

    def __init__(self, columns: list[int], presence: int, **kwargs):
        super().__init__(**kwargs)
        if not columns or len(columns) % 2:
            raise ValueError(f"Expected (x, y) column pairs. Received: columns={list(columns)}")
        self.columns, self.presence = [int(c) for c in columns], int(presence)

    def get_config(self):
        return {**super().get_config(), "columns": self.columns, "presence": self.presence}


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
class RecentSteps(keras.layers.Layer):
    """Keeps a sequence's newest `steps` time steps (all of a shorter one).

    Args:
        steps: how many of the newest steps to keep.

    Input shape:
        (batch, time, ...)

    Output shape:
        (batch, min(time, steps), ...)
    """

    def __init__(self, steps: int, **kwargs):
        super().__init__(**kwargs)
        self.steps = int(steps)

    def call(self, inputs):
        return inputs[:, -self.steps:]

    def compute_output_shape(self, input_shape):
        time = None if input_shape[1] is None else min(input_shape[1], self.steps)
        return (input_shape[0], time, *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "steps": self.steps}


@keras.saving.register_keras_serializable(package=PACKAGE)
class FeatureSlice(keras.layers.Layer):
    """Keeps the features `start` to `stop` of the last axis: one head's part of a joined embedding.

    Args:
        start: first feature kept.
        stop: one past the last feature kept.

    Input shape:
        (batch, ..., features), features >= stop

    Output shape:
        (batch, ..., stop - start)
    """

    def __init__(self, start: int, stop: int, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= start < stop:
            raise ValueError(f"Expected 0 <= start < stop. Received: start={start}, stop={stop}")
        self.start, self.stop = int(start), int(stop)

    def call(self, inputs):
        return inputs[..., self.start:self.stop]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.stop - self.start)

    def get_config(self):
        return {**super().get_config(), "start": self.start, "stop": self.stop}


@keras.saving.register_keras_serializable(package=PACKAGE)
class EveryOtherStep(keras.layers.Layer):
    """Keeps every other time step, counted back from the newest: the sequence at half its rate.

    Counting from the newest keeps the step the decision is about, whatever the window's
    length; counting from the oldest would drop it for every even length.

    Input shape:
        (batch, time, ...)

    Output shape:
        (batch, ceil(time / 2), ...)
    """

    def call(self, inputs):
        return ops.flip(ops.flip(inputs, axis=1)[:, ::2], axis=1)

    def compute_output_shape(self, input_shape):
        time = None if input_shape[1] is None else (input_shape[1] + 1) // 2
        return (input_shape[0], time, *input_shape[2:])


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


def _gaussian_kernel(sigma: float) -> list[float]:
    radius = max(1, int(round(2.5 * sigma)))
    taps = [math.exp(-(i * i) / (2.0 * sigma * sigma)) for i in range(-radius, radius + 1)]
    total = sum(taps)
    return [t / total for t in taps]


@keras.saving.register_keras_serializable(package=PACKAGE)
class NormalFlow(keras.layers.Layer):
    """Turns a motion pair into how the picture moved, with no trace of what it looks like.

    From brightness constancy, I_x u + I_y v + I_t = 0, the flow along the image
    gradient (the normal flow) is -I_t grad(I) / |grad(I)|^2. It is zero where
    nothing moves, whatever the room looks like, and it does not change when
    the picture is made brighter, darker or more contrasty (I_t and grad(I)
    scale together), so a dark room and a lit lawn look alike. The output is
    that flow (u, v) in pixels per model step, shrunk toward zero where the
    gradient is weak (`floor`) and squashed into (-2, 2), and the motion
    strength |I_t| relative to the frame's own gradients. A change of brightness
    between the two frames (flicker, auto-exposure) does read as motion.

    Args:
        sigma: Gaussian blur (pixels) before differentiating; the linearisation
            holds only for motion under about sigma pixels per step.
        floor: share of the mean squared gradient added to |grad(I)|^2, so flat
            regions (and camera noise on them) give no flow.

    Input shape:
        (batch, h, w, 2c): a frame and its change from the previous one, as
        `MotionPairs` makes them; the c channels are averaged to luminance.

    Output shape:
        (batch, h, w, 3): u, v and motion strength.
    """

    def __init__(self, sigma: float = 1.5, floor: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.sigma = float(sigma)
        self.floor = float(floor)

    def call(self, inputs):
        half = inputs.shape[-1] // 2
        frame = ops.mean(inputs[..., :half], axis=-1, keepdims=True)
        change = ops.mean(inputs[..., half:], axis=-1, keepdims=True)
        # Differentiate the midpoint of the two frames: the change happened between them. It is
        # blurred one pixel wider on each side, so the central differences at the border see
        # mirrored picture, not a one-sided step.
        image = self._blur(frame - 0.5 * change, extra=1)
        dt = self._blur(change, extra=0)
        dx = 0.5 * (image[:, 1:-1, 2:] - image[:, 1:-1, :-2])
        dy = 0.5 * (image[:, 2:, 1:-1] - image[:, :-2, 1:-1])
        grad2 = dx * dx + dy * dy
        scale = ops.mean(grad2, axis=(1, 2, 3), keepdims=True) + 1e-8
        denom = grad2 + self.floor * scale
        u = -dt * dx / denom
        v = -dt * dy / denom
        strength = ops.abs(dt) / ops.sqrt(scale)
        return ops.concatenate(
            [2.0 * ops.tanh(0.5 * u), 2.0 * ops.tanh(0.5 * v), ops.tanh(0.25 * strength)], axis=-1
        )

    def _blur(self, x, extra: int):
        """Gaussian blur; the output is `extra` pixels larger than `x` on every side.

        The picture is mirrored past its border rather than padded with zeros: zeros would
        add an edge as strong as the picture is bright, and brightness would leak into
        the gradients this layer divides by.
        """
        taps = _gaussian_kernel(self.sigma)
        k = len(taps)
        pad = k // 2 + extra
        x = ops.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="symmetric")
        column = ops.reshape(ops.convert_to_tensor(taps, dtype=x.dtype), (k, 1, 1, 1))
        row = ops.reshape(column, (1, k, 1, 1))
        return ops.conv(ops.conv(x, column, padding="valid"), row, padding="valid")

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 3)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma, "floor": self.floor}
