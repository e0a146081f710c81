"""Builds a classifier by architecture name, and splits one into encoder and head."""

from __future__ import annotations

from collections.abc import Sequence

from model.backend import import_keras
from model.config import ARCHITECTURES, ModelConfig
from model.nets.cnn_lstm import ENCODER_NAME, HEAD_NAME, build_cnn_lstm
from model.nets.convlstm import build_convlstm
from model.nets.renet import build_renet
from model.shapes import ShapeError, check_input_shape

keras = import_keras()  # quiet: TF prints import noise otherwise

_BUILDERS = {"cnn_lstm": build_cnn_lstm, "convlstm": build_convlstm, "renet": build_renet}
assert set(_BUILDERS) == set(ARCHITECTURES)


def build_classifier(config: ModelConfig, input_shape: Sequence | None = None) -> keras.Model:
    """Builds the classifier named by `config.arch`.

    Args:
        config: the model's `ModelConfig`.
        input_shape: optional (time, h, w, c) as a user would give TimeDistributed;
            checked against the config, and time may be None.

    Returns:
        A model mapping (batch, time, h, w, c) to (batch, classes).
    """
    if input_shape is not None:
        shape = check_input_shape(input_shape)
        h, w, c = shape[1:]
        if h != w or c not in (1, 3):
            raise ShapeError(
                "`input_shape` frames must be square (size, size, c) with c = 1 (gray) or 3 (rgb). "
                f"Received: input_shape={shape}"
            )
        config = config.replace(size=int(h), color="gray" if c == 1 else "rgb")
        check_input_shape(shape, config.frame_shape)
    return _BUILDERS[config.arch](config)


def split_classifier(model: keras.Model) -> tuple[keras.Model, keras.Model] | None:
    """Finds the per-frame encoder and the temporal head inside a classifier.

    Args:
        model: a classifier from `build_classifier` (or loaded from a bundle).

    Returns:
        (encoder, head): encoder maps (batch, h, w, c) to (batch, embed_dim) and
        head maps (batch, time, embed_dim) to (batch, classes); they share the
        model's weights. None for architectures that cannot be split (convlstm).
    """
    try:
        per_frame = model.get_layer("per_frame")
        head = model.get_layer(HEAD_NAME)
    except ValueError:
        return None
    encoder = getattr(per_frame, "layer", None)
    if encoder is None or encoder.name != ENCODER_NAME:
        return None
    return encoder, head
