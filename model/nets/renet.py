"""ReNet-style per-frame encoder: a CNN feature map read by two LSTMs.

After the CNN, one LSTM reads the feature map row by row (top to bottom) and
another reads it column by column (left to right); their last states are
concatenated into the frame's embedding (after Visin et al., and the CNN+ReNet
video model of arXiv 1611.07890). The temporal LSTM head is the CNN-LSTM's.
"""

from __future__ import annotations

from model.backend import import_keras
from model.config import ModelConfig
from model.nets.cnn_lstm import ENCODER_NAME, build_cnn_lstm

keras = import_keras()  # quiet: TF prints import noise otherwise
layers = keras.layers


def build_renet_encoder(config: ModelConfig) -> keras.Model:
    """Builds the CNN + row/column LSTM frame encoder.

    Args:
        config: gives the frame shape and `embed_dim` (split over the two LSTMs).

    Returns:
        A model mapping (batch, h, w, c) to (batch, embed_dim).
    """
    frame = keras.Input(config.encoder_frame_shape, name="frame")
    x = frame
    for i, filters in enumerate((16, 32, 32)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    fh, fw, fc = x.shape[1], x.shape[2], x.shape[3]
    rows = layers.Reshape((fh, fw * fc), name="rows")(x)
    cols = layers.Reshape((fw, fh * fc), name="cols")(layers.Permute((2, 1, 3), name="transpose")(x))
    half = config.embed_dim // 2
    row_state = layers.LSTM(half, name="row_lstm")(rows)
    col_state = layers.LSTM(config.embed_dim - half, name="col_lstm")(cols)
    emb = layers.Concatenate(name="row_col")([row_state, col_state])
    return keras.Model(frame, emb, name=ENCODER_NAME)


def build_renet(config: ModelConfig) -> keras.Model:
    """Builds the ReNet classifier: the ReNet encoder in TimeDistributed, then the LSTM head.

    Args:
        config: the model's `ModelConfig`.

    Returns:
        A model mapping (batch, time, h, w, c) to (batch, classes).
    """
    return build_cnn_lstm(config, encoder=build_renet_encoder(config))
