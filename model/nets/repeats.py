"""Layers for labels that are repeated sweeps (`ModelConfig.needs_repeats`): a two-hand wave swings
back and forth several times, and one sweep of the arms from low is a side arm raise (by the
definitions in the data's SOURCES.md).

`ArmBones` puts the arm bones' picture directions at the end of each cached pose vector, and
`RepeatsGate` takes a gated label's probability away from a window that begins with the arms low
and shows them turning back at most once. It counts turns as
`model.train.pose_definitions.turning_points` of `arm_path` does, so the app and the labels that
trained it agree on what one sweep is. Registered, so a saved model loads in Keras safe mode.
"""

from __future__ import annotations

import numpy as np

from model.backend import import_keras
from model.nets.layers import PACKAGE, PoseColumns, moved_to_others
from model.pose.features import MIN_STROKE, SMOOTH_STEPS

keras = import_keras()  # quiet: TF prints import noise otherwise
ops = keras.ops

# Arms "low" at a window's start: the mean upward component of the four arm bones at most this
# (-1 hanging, 0 level with the shoulders). A wave's arcs come down to about 0.1 (KARD); a raise
# starts from the sides, -0.95 to -0.45 (ud810's people hold their hands a little out).
ARMS_LOW = -0.3


@keras.saving.register_keras_serializable(package=PACKAGE)
class ArmBones(PoseColumns):
    """The arm bones' picture (x, y) directions, all 0.0 where nobody is in view (pose features in).

    Args:
        columns: the picture (x, y) columns of the four arm bones, in pairs.
        presence: the column of the person flag.

    Input shape:
        (batch, features)

    Output shape:
        (batch, len(columns))
    """

    def call(self, inputs):
        person = ops.cast(inputs[:, self.presence : self.presence + 1] > 0, inputs.dtype)
        return ops.take(inputs, self.columns, axis=-1) * person

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.columns))


@keras.saving.register_keras_serializable(package=PACKAGE)
class RepeatsGate(keras.layers.Layer):
    """Moves the probability of repeated-sweep labels to the other classes on a window that shows
    one sweep at most: it begins with the arms low and they turn back at most once.

    The arm path is held over steps where no arm bone is seen (arms lost for a moment are not a
    swing; one bone lost alone reads as zeros, as in the training labels) and smoothed over
    `smooth_steps`, then its strokes are followed step by step: it turns where it comes back by
    `min_stroke` from the farthest point of a stroke at least that long. The same steps as
    `model.train.pose_definitions.turning_points` of `arm_path`, in float32: two distances equal
    to the last bit may tie the other way.

    Args:
        gated: indices of the classes that are repeated sweeps.
        steps: the window's length; a shorter window is read as if its first step was held before it.
        min_stroke: the shortest stroke, in the space of the four unit directions.
        smooth_steps: the moving average's length.
        arms_low: the arms' mean upward component at the window's first step at or below which
            they are low.

    Input shape:
        [probabilities (batch, classes), arm directions per step (batch, time, 8)]

    Output shape:
        (batch, classes): unchanged where the window turns back twice or more, or begins with the
        arms above `arms_low`; otherwise the gated classes at 0 and the rest renormalised to sum
        to 1 (all near 0 when a gated class had it all, which the app shows as `unknown`).
    """

    def __init__(self, gated: list[int], steps: int, min_stroke: float = MIN_STROKE,
                 smooth_steps: int = SMOOTH_STEPS, arms_low: float = ARMS_LOW, **kwargs):
        super().__init__(**kwargs)
        if steps < 2 or smooth_steps < 1:
            raise ValueError(f"Expected steps >= 2 and smooth_steps >= 1. Received: steps={steps}, "
                             f"smooth_steps={smooth_steps}")
        self.gated, self.steps = [int(k) for k in gated], int(steps)
        self.min_stroke, self.smooth_steps, self.arms_low = float(min_stroke), int(smooth_steps), float(arms_low)
        s = self.steps
        # Constants of the window's length: which earlier steps a step may hold, and the moving
        # average with the ends repeated (as np.pad's "edge" mode does).
        self._earlier = np.tril(np.ones((s, s), np.float32))
        smooth = np.zeros((s, s), np.float32)
        for k in range(s):
            for o in range(self.smooth_steps):
                smooth[k, min(max(k + o - self.smooth_steps // 2, 0), s - 1)] += 1.0 / self.smooth_steps
        self._smooth = smooth

    def arm_path(self, arms):
        """(batch, time, d) arm directions -> (batch, steps, d): the newest `steps`, unseen steps
        holding the last seen one (the first seen one before it), then smoothed."""
        s = self.steps
        arms = ops.concatenate([ops.repeat(arms[:, :1], s, axis=1), arms], axis=1)[:, -s:]
        seen = ops.cast(ops.sum(ops.abs(arms), axis=-1) > 0, "float32")  # (batch, steps)
        index = ops.arange(s, dtype="float32")
        # last[b, k]: the newest seen step at or before k, -1 if none.
        candidates = seen[:, None, :] * ops.convert_to_tensor(self._earlier)[None] * (index + 1.0)[None, None]
        last = ops.max(candidates, axis=-1) - 1.0
        # The first seen step (0 if none); not argmax, which LiteRT's builtins lack for this.
        first = ops.min(seen * index[None] + (1.0 - seen) * float(s), axis=-1, keepdims=True)
        first = ops.where(first < s, first, 0.0)
        held = ops.cast(ops.where(last >= 0, last, first), "int32")
        picked = ops.one_hot(held, s, dtype=arms.dtype)  # (batch, steps, steps)
        held_arms = ops.matmul(picked, arms)
        return ops.einsum("kj,bjd->bkd", ops.convert_to_tensor(self._smooth, arms.dtype), held_arms)

    def turns(self, path):
        """(batch, steps, d) arm path -> (batch,) float: how many times it turned back."""
        start = far = path[:, 0]
        far_d = ops.zeros_like(path[:, 0, 0])
        count = ops.zeros_like(far_d)
        for k in range(1, self.steps):
            point = path[:, k]
            d = ops.sqrt(ops.sum(ops.square(point - start), axis=-1))
            back = ops.sqrt(ops.sum(ops.square(point - far), axis=-1))
            further = d >= far_d
            turn = ops.logical_and(ops.logical_not(further),
                                   ops.logical_and(far_d >= self.min_stroke, back >= self.min_stroke))
            start = ops.where(turn[:, None], far, start)
            far = ops.where(ops.logical_or(further, turn)[:, None], point, far)
            far_d = ops.where(further, d, ops.where(turn, back, far_d))
            count = count + ops.cast(turn, count.dtype)
        return count

    def one_sweep(self, arms):
        """(batch, time, 8) arm directions -> (batch,) bool: begins low and turns back at most once."""
        path = self.arm_path(arms)
        # The mean upward component: picture y grows downwards.
        rise = -ops.mean(path[:, 0, 1::2], axis=-1)
        return ops.logical_and(rise <= self.arms_low, self.turns(path) <= 1.0)

    def call(self, inputs):
        probs, arms = inputs
        once = ops.cast(self.one_sweep(ops.cast(arms, "float32")), probs.dtype)[:, None]
        return moved_to_others(probs, self.gated, once)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "gated": self.gated, "steps": self.steps, "min_stroke": self.min_stroke,
                "smooth_steps": self.smooth_steps, "arms_low": self.arms_low}
