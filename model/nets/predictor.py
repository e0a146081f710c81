"""The next-frame predictor: ConvLSTM2D over a short window, one frame out.

It predicts the change from the last input frame and adds it back, so an
untrained predictor (its last convolution starts at zero) already equals
"copy the last frame", and training only has to learn the motion.
"""

from __future__ import annotations

from model.backend import import_keras
from model.config import ModelConfig
from model.nets.layers import ClipValues, FoldTimeDistributed, LastFrame

keras = import_keras()  # quiet: TF prints import noise otherwise
layers = keras.layers

PREDICTOR_NAME = "next_frame"


def build_predictor(config: ModelConfig, frame_shape: tuple[int, int, int] | None = None) -> keras.Model:
    """Builds the next-frame predictor.

    Args:
        config: gives `predictor_filters` and, by default, the frame shape.
        frame_shape: (h, w, c) override, e.g. (64, 64, 1) for Moving MNIST.

    Returns:
        A model mapping (batch, time, h, w, c) to exactly one frame,
        (batch, h, w, c), with values in [0, 1]. `time` is None.
    """
    h, w, c = frame_shape or config.frame_shape
    f = config.predictor_filters
    frames = keras.Input((None, h, w, c), name="frames")
    x = FoldTimeDistributed(
        layers.Conv2D(f, 3, strides=2, padding="same", activation="relu"), name="down"
    )(frames)
    x = layers.ConvLSTM2D(f, 3, padding="same", return_sequences=True, name="convlstm0")(x)
    # The last ConvLSTM returns only its final state: one frame, not one per time step.
    x = layers.ConvLSTM2D(f, 3, padding="same", return_sequences=False, name="convlstm1")(x)
    x = layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu", name="up")(x)
    if h % 2 or w % 2:
        # Stride 2 rounds an odd side up on the way down; trim the extra row/column on the way up.
        x = layers.Cropping2D(((0, h % 2), (0, w % 2)), name="crop_odd")(x)
    delta = layers.Conv2D(c, 3, padding="same", kernel_initializer="zeros", name="delta")(x)
    last = LastFrame(name="last_frame")(frames)
    out = ClipValues(0.0, 1.0, name="clip")(layers.Add(name="last_plus_delta")([last, delta]))
    return keras.Model(frames, out, name=PREDICTOR_NAME)
