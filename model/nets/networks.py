"""Builds a classifier by architecture name, splits one into encoder and head, and joins two heads."""

from __future__ import annotations

from collections.abc import Sequence

from model.backend import import_keras
from model.config import ARCHITECTURES, ModelConfig
from model.nets.cnn_lstm import (
    ENCODER_NAME,
    GATED_HEAD,
    HEAD_NAME,
    LONG_ENCODER,
    LONG_HEAD,
    SHORT_ENCODER,
    SHORT_HEAD,
    build_cnn_lstm,
)
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


def join_heads(long_model: keras.Model, short_model: keras.Model, config: ModelConfig) -> keras.Model:
    """One classifier with two heads from two trained pose classifiers (their weights copied).

    Args:
        long_model: a classifier of `config.long_head_config()`.
        short_model: a classifier of `config.short_head_config()`.
        config: the joined config (`short_head_frames` set).

    Returns:
        The `build_cnn_lstm(config)` classifier: (batch, time, POSE_FEATURE_DIM) to
        (batch, classes), the mean of what the two models give on the window (the short
        one on its newest `short_head_frames` steps). It splits into an encoder and a head
        for the live engine as any classifier does.
    """
    if not config.short_head_frames:
        raise ValueError("`join_heads` needs a config with `short_head_frames` set. Received: 0")
    joined = build_cnn_lstm(config)
    encoder, head = split_classifier(joined)
    if config.needs_legs or config.needs_repeats:
        head = head.get_layer(GATED_HEAD)
    for member, encoder_name, head_name in ((long_model, LONG_ENCODER, LONG_HEAD),
                                            (short_model, SHORT_ENCODER, SHORT_HEAD)):
        member_encoder, member_head = split_classifier(member)
        encoder.get_layer(encoder_name).set_weights(member_encoder.get_weights())
        head.get_layer(head_name).set_weights(member_head.get_weights())
    return joined
