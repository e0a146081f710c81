"""The default classifier: a per-frame CNN in TimeDistributed, then an LSTM, then softmax.

It is built from two sub-models that share their weights with the full model:

- `frame_encoder`: one frame (h, w, c) -> embedding (embed_dim,);
- `temporal_head`: embeddings (time, embed_dim) -> class probabilities.

The app runs the encoder once per frame, caches the embedding, and runs only
the head per window. Because the full model is literally
`temporal_head(TimeDistributed(frame_encoder)(frames))`, the two paths agree.

A pose model may have two heads (`ModelConfig.short_head_frames`), trained apart and joined by
`model.nets.networks.join_heads`: the encoder is then both heads' per-frame layers side by side, and the head the
mean of both heads' probabilities, so the app still caches one vector a frame.
"""

from __future__ import annotations

from model.backend import import_keras
from model.config import ModelConfig
from model.nets.layers import (
    EveryOtherStep,
    FeatureSlice,
    FoldTimeDistributed,
    MotionPairs,
    NormalFlow,
    RecentSteps,
)
from model.nets.legs import LegsGate, LegsSeen
from model.nets.repeats import ArmBones, RepeatsGate
from model.pose.features import ARM_PICTURE_COLUMNS, LEG_PICTURE_COLUMNS, PRESENCE_INDEX

keras = import_keras()  # quiet: TF prints import noise otherwise
layers = keras.layers

ENCODER_NAME = "frame_encoder"
HEAD_NAME = "temporal_head"
# The parts of a classifier with two heads (`ModelConfig.short_head_frames`).
LONG_ENCODER, SHORT_ENCODER = "long_frame_encoder", "short_frame_encoder"
LONG_HEAD, SHORT_HEAD = "long_head", "short_head"
# The head inside a head with `ModelConfig.needs_legs` or `needs_repeats`.
GATED_HEAD = "head_before_legs_gate"


def build_frame_encoder(config: ModelConfig) -> keras.Model:
    """Builds the per-frame CNN.

    Args:
        config: gives the frame shape and `embed_dim`.

    Returns:
        A model mapping (batch, h, w, c) to (batch, embed_dim); with
        `config.motion` the input is (batch, h, w, 2c): the frame and its change
        from the previous window frame (see `model.nets.layers.MotionPairs`),
        which with `config.motion_input == "flow"` the encoder first turns into
        normal flow (batch, h, w, 3).
    """
    if config.uses_pose:
        return build_pose_encoder(config)
    frame = keras.Input(config.encoder_frame_shape, name="frame")
    x = frame
    if config.motion and config.motion_input == "flow":
        x = NormalFlow(name="normal_flow")(x)
    # Three stride-2 stages take 64 px to 8 px: coarse enough to ignore who the person
    # is, fine enough to see where the arms are.
    for i, filters in enumerate((16, 32, config.embed_dim)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Conv2D(config.embed_dim, 3, padding="same", activation="relu", name="conv_out")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(frame, x, name=ENCODER_NAME)


def build_pose_encoder(config: ModelConfig, name: str = ENCODER_NAME) -> keras.Model:
    """Builds the trainable per-frame layer on pose features.

    Args:
        config: gives `embed_dim` and `short_head_frames`.
        name: the model's name.

    Returns:
        A model mapping (batch, POSE_FEATURE_DIM) to (batch, embed_dim): BlazePose
        has already found the person; this learns which joint movements matter. With
        `config.short_head_frames`, to (batch, 2 * embed_dim): each head's own layer,
        side by side (long head first), so one cached vector per frame serves both. Then
        `gate_width(config)` more numbers: whether the legs are seen (`needs_legs`), and the
        four arm bones' picture directions (`needs_repeats`).
    """
    pose = keras.Input(config.encoder_frame_shape, name="frame")
    if config.short_head_frames:
        parts = [build_pose_encoder(config.long_head_config(), name=LONG_ENCODER)(pose),
                 build_pose_encoder(config.short_head_config(), name=SHORT_ENCODER)(pose)]
    else:
        x = layers.Dense(128, activation="relu", name="pose_dense0")(pose)
        x = layers.Dropout(0.1, name="pose_dropout")(x)
        parts = [layers.Dense(config.embed_dim, activation="relu", name="pose_dense1")(x)]
    if config.needs_legs:
        # The last number of the cached vector: whether this frame shows the legs (`LegsGate`).
        parts.append(LegsSeen(list(LEG_PICTURE_COLUMNS), PRESENCE_INDEX, name="legs_seen")(pose))
    if config.needs_repeats:
        # Then the arm bones' directions, which `RepeatsGate` follows over the window.
        parts.append(ArmBones(list(ARM_PICTURE_COLUMNS), PRESENCE_INDEX, name="arm_bones")(pose))
    if len(parts) == 1:
        return keras.Model(pose, parts[0], name=name)
    return keras.Model(pose, layers.Concatenate(name="both_heads")(parts), name=name)


def build_temporal_head(config: ModelConfig, embed_dim: int | None = None,
                        name: str = HEAD_NAME) -> keras.Model:
    """Builds the LSTM head over per-frame embeddings.

    Args:
        config: gives `lstm_units`, `dropout`, the classes, `frame_wise` and `fast_frames`
            (two LSTMs: the newest `fast_frames` steps, and every other step of the window).
        embed_dim: width of the incoming embeddings (defaults to `config.embed_dim`, twice
            it with `config.short_head_frames`: see `build_pose_encoder`).
        name: the model's name.

    Returns:
        A model mapping (batch, time, embed_dim) to (batch, classes), or to
        (batch, time, classes) when `config.frame_wise` is set (time - 1 steps for
        a pose model, whose LSTM sees each step with its change from the one before).
    """
    if config.needs_legs or config.needs_repeats:
        return _gated_head(config, embed_dim, name)
    if config.short_head_frames:
        return _two_heads(config, embed_dim or 2 * config.embed_dim, name)
    seq = keras.Input((None, embed_dim or config.embed_dim), name="embeddings")
    if config.fast_frames:
        # Two rates: the newest `fast_frames` steps one by one, and the whole window at half the
        # rate, where one raise and a wave's repeated arcs may differ (`ModelConfig.fast_frames`).
        fast = _temporal_state(config, RecentSteps(config.fast_frames, name="recent")(seq), "")
        slow = _temporal_state(config, EveryOtherStep(name="half_rate")(seq), "_slow")
        x = layers.Concatenate(name="both_rates")([fast, slow])
    else:
        x = _temporal_state(config, seq, "")
    x = layers.Dropout(config.dropout, name="dropout")(x)
    probs = layers.Dense(config.num_classes, activation="softmax", name="probs")(x)
    return keras.Model(seq, probs, name=name)


def _gated_head(config: ModelConfig, embed_dim: int | None, name: str) -> keras.Model:
    """(batch, time, embed_dim) -> (batch, classes): the head of `config` without its gates on the
    embedding part of each step, then `LegsGate` on the legs-seen number after it
    (`needs_legs`) and `RepeatsGate` on the arm directions after that (`needs_repeats`)."""
    plain = config.replace(needs_legs=(), needs_repeats=())
    extra = gate_width(config)
    width = (embed_dim - extra) if embed_dim else (2 if config.short_head_frames else 1) * config.embed_dim
    seq = keras.Input((None, width + extra), name="embeddings")
    probs = build_temporal_head(plain, width, name=GATED_HEAD)(FeatureSlice(0, width, name="embedding_part")(seq))
    at = width
    if config.needs_legs:
        seen = FeatureSlice(at, at + 1, name="legs_part")(seq)
        probs = LegsGate([config.labels.index(label) for label in config.needs_legs], name="legs_gate")([probs, seen])
        at += 1
    if config.needs_repeats:
        arms = FeatureSlice(at, at + len(ARM_PICTURE_COLUMNS), name="arms_part")(seq)
        gated = [config.labels.index(label) for label in config.needs_repeats]
        probs = RepeatsGate(gated, config.frames, name="repeats_gate")([probs, arms])
    return keras.Model(seq, probs, name=name)


def gate_width(config: ModelConfig) -> int:
    """How many numbers the gates add to the end of each cached vector: 1 for the legs seen
    (`needs_legs`), the arm bones' directions (`needs_repeats`)."""
    return (1 if config.needs_legs else 0) + (len(ARM_PICTURE_COLUMNS) if config.needs_repeats else 0)


def _two_heads(config: ModelConfig, embed_dim: int, name: str) -> keras.Model:
    """(batch, time, embed_dim) -> (batch, classes): the mean of the long head's probabilities on
    the first half of each embedding and the short head's on the second half's newest steps."""
    if embed_dim % 2:
        raise ValueError(f"Two heads split the embedding in halves; it must be even. Received: embed_dim={embed_dim}")
    half = embed_dim // 2
    seq = keras.Input((None, embed_dim), name="embeddings")
    long = build_temporal_head(config.long_head_config(), half, name=LONG_HEAD)(
        FeatureSlice(0, half, name="long_part")(seq))
    recent = RecentSteps(config.short_head_frames, name="short_steps")(FeatureSlice(half, embed_dim, name="short_part")(seq))
    short = build_temporal_head(config.short_head_config(), half, name=SHORT_HEAD)(recent)
    return keras.Model(seq, layers.Average(name="probs")([long, short]), name=name)


def _temporal_state(config: ModelConfig, seq, suffix: str):
    """(batch, time, embed_dim) -> the LSTM's state: (batch, lstm_units), or per step with
    `frame_wise`. `suffix` names a second LSTM's layers apart from the first's."""
    x = seq
    if config.uses_pose:
        # Each step with its change from the step before: joints move a little between 0.1 s
        # steps, and a small model learns that from a few sources only when it is handed over.
        x = MotionPairs(name=f"step_changes{suffix}")(x)
    return layers.LSTM(config.lstm_units, return_sequences=config.frame_wise, name=f"lstm{suffix}")(x)


def build_cnn_lstm(config: ModelConfig, encoder: keras.Model | None = None) -> keras.Model:
    """Builds the full CNN-LSTM classifier.

    Args:
        config: the model's `ModelConfig`.
        encoder: a per-frame encoder to wrap; by default `build_frame_encoder(config)`.

    Returns:
        A model mapping (batch, time, h, w, c) (or (batch, time, POSE_FEATURE_DIM)
        with pose features) to (batch, classes), or to
        (batch, time', classes) when `config.frame_wise` is set, where time' is
        time - 1 with `config.motion` (the first frame is only a reference) and
        time otherwise. `time` is None, so windows of any length run on the
        same weights.
    """
    encoder = encoder or build_frame_encoder(config)
    frames = keras.Input((None, *config.classifier_frame_shape), name="frames")
    x = MotionPairs(name="motion_pairs")(frames) if config.motion else frames
    emb = FoldTimeDistributed(encoder, name="per_frame")(x)
    head = build_temporal_head(config, embed_dim=encoder.output.shape[-1])
    return keras.Model(frames, head(emb), name=config.arch)

