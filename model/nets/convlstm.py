"""A classifier built from stacked ConvLSTM2D layers.

Unlike the CNN-LSTM it mixes space and time from the first layer, so it cannot
cache per-frame work: the app runs it on the whole window each step.
"""

from __future__ import annotations

from model.backend import import_keras
from model.config import ModelConfig
from model.nets.layers import FoldTimeDistributed, MotionPairs

keras = import_keras()  # quiet: TF prints import noise otherwise
layers = keras.layers


def build_convlstm(config: ModelConfig) -> keras.Model:
    """Builds the ConvLSTM2D classifier.

    Args:
        config: the model's `ModelConfig`.

    Returns:
        A model mapping (batch, time, h, w, c) to (batch, classes), or to
        (batch, time, classes) when `config.frame_wise` is set.
    """
    frames = keras.Input((None, *config.frame_shape), name="frames")
    x = MotionPairs(name="motion_pairs")(frames) if config.motion else frames
    # Shrink each frame first: a ConvLSTM at full 64 px costs 16x the compute of one at 16 px.
    x = FoldTimeDistributed(layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
                               name="stem")(x)
    x = FoldTimeDistributed(layers.MaxPooling2D(2), name="stem_pool")(x)
    x = layers.ConvLSTM2D(16, 3, padding="same", return_sequences=True, name="convlstm0")(x)
    x = FoldTimeDistributed(layers.MaxPooling2D(2), name="pool0")(x)
    x = layers.ConvLSTM2D(32, 3, padding="same", return_sequences=config.frame_wise,
                          name="convlstm1")(x)
    if config.frame_wise:
        x = FoldTimeDistributed(layers.GlobalAveragePooling2D(), name="gap")(x)
    else:
        x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(config.dropout, name="dropout")(x)
    probs = layers.Dense(config.num_classes, activation="softmax", name="probs")(x)
    return keras.Model(frames, probs, name=config.arch)
