"""Layers for labels that need the legs (`ModelConfig.needs_legs`): a jumping jack is the legs jumping.

`LegsSeen` puts one number at the end of each cached pose vector (the legs in view or not), and
`LegsGate` takes a gated label's probability away from a window that never shows them. Registered,
so a saved model loads in Keras safe mode.
"""

from __future__ import annotations

from model.backend import import_keras
from model.nets.layers import PACKAGE, PoseColumns, moved_to_others

keras = import_keras()  # quiet: TF prints import noise otherwise
ops = keras.ops


@keras.saving.register_keras_serializable(package=PACKAGE)
class LegsSeen(PoseColumns):
    """1.0 where a person is in view with every leg bone seen, else 0.0 (pose features in).

    Args:
        columns: the picture (x, y) columns of the leg bones, in pairs.
        presence: the column of the person flag.

    Input shape:
        (batch, features)

    Output shape:
        (batch, 1)
    """

    def call(self, inputs):
        legs = ops.reshape(ops.take(inputs, self.columns, axis=-1), (-1, len(self.columns) // 2, 2))
        seen = ops.all(ops.sum(ops.abs(legs), axis=-1) > 0, axis=-1)
        person = inputs[:, self.presence] > 0
        return ops.expand_dims(ops.cast(ops.logical_and(seen, person), inputs.dtype), -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class LegsGate(keras.layers.Layer):
    """Moves the probability of labels that need the legs to the other classes when no step of
    the window shows them (`ModelConfig.needs_legs`).

    Args:
        gated: indices of the classes that need the legs.

    Input shape:
        [probabilities (batch, classes), legs seen per step (batch, time, 1)]

    Output shape:
        (batch, classes): unchanged where some step shows the legs; otherwise the gated classes
        at 0 and the rest renormalised to sum to 1 (all near 0 when a gated class had it all,
        which the app shows as `unknown`).
    """

    def __init__(self, gated: list[int], **kwargs):
        super().__init__(**kwargs)
        self.gated = [int(k) for k in gated]

    def call(self, inputs):
        probs, seen = inputs
        return moved_to_others(probs, self.gated, 1.0 - ops.max(seen, axis=1))  # seen: (batch, time, 1)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "gated": self.gated}
