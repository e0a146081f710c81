"""The bundle's models on LiteRT, behind the same calls as `CompiledModels`.

No TensorFlow and no Keras: each part is a TFLite interpreter made once and
reused, so a call allocates nothing that the interpreter can keep. The head's
time axis is free in its file; a new window length resizes it once.
"""

from __future__ import annotations

import numpy as np

from model.bundle import BundleError
from model.lite.bundle import LiteBundle
from model.lite.interpreter import TFLiteModel
from model.shapes import check_frame, check_window


class LiteModels:
    """A `LiteBundle`'s TFLite parts, called one input at a time.

    Args:
        bundle: from `model.lite.bundle.load_lite_bundle`.
        threads: interpreter threads for the predictor and a whole classifier. The encoder
            and head take well under a millisecond, less than waking a second thread costs.

    Raises:
        BundleError: a file does not fit the bundle's config (the message names it).
    """

    def __init__(self, bundle: LiteBundle, threads: int = 2):
        self.bundle = bundle
        self.config = bundle.config
        parts = bundle.parts
        self.encoder = TFLiteModel(parts["encoder"], 1) if "encoder" in parts else None
        self.head = TFLiteModel(parts["head"], 1) if "head" in parts else None
        self.classifier = TFLiteModel(parts["classifier"], threads) if "classifier" in parts else None
        self.predictor = TFLiteModel(parts["predictor"], threads) if "predictor" in parts else None
        self.runtime_name = (self.head or self.classifier).runtime_name
        self._check()

    def _check(self) -> None:
        last = self.head or self.classifier
        classes = last.output_shapes[0][-1]
        if classes != self.config.num_classes:
            raise BundleError(f"{last.path}: has {classes} outputs but the bundle names "
                              f"{self.config.num_classes} labels. Export the bundle again.")
        if self.encoder is not None and self.encoder.input_shape[1:] != self.config.encoder_frame_shape:
            raise BundleError(f"{self.encoder.path}: takes {self.encoder.input_shape[1:]} but the "
                              f"config says {self.config.encoder_frame_shape}. Export the bundle again.")

    @property
    def cached(self) -> bool:
        """True when per-frame embeddings can be cached (the classifier splits)."""
        return self.encoder is not None

    @property
    def embed_dim(self) -> int | None:
        """Width of one cached embedding, or None when nothing is cached."""
        return None if self.encoder is None else int(self.encoder.output_shapes[0][-1])

    @property
    def motion(self) -> bool:
        """True when the encoder takes (frame, change) pairs: see `model.nets.layers.MotionPairs`."""
        return bool(getattr(self.config, "motion", False))

    def embed(self, frame: np.ndarray) -> np.ndarray:
        """Runs the per-frame encoder once: (h, w, c) (or a pose feature vector) -> (embed_dim,)."""
        frame = check_frame(frame, self.config.encoder_frame_shape)
        return self.encoder(frame[None])[0][0]

    def embed_batch(self, frames: np.ndarray) -> np.ndarray:
        """Runs the per-frame encoder on each of (n, h, w, c) inputs -> (n, embed_dim)."""
        frames = np.asarray(frames, np.float32)
        # One input per call: the encoder's file takes a batch of one, and resizing it per
        # batch size would reallocate on every filling window.
        return np.stack([self.encoder(f[None])[0][0] for f in frames])

    def classify_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """Runs the temporal head on cached embeddings: (time, embed_dim) -> (classes,)."""
        probs = self.head(np.asarray(embeddings, np.float32)[None])[0][0]
        return probs[-1] if probs.ndim == 2 else probs

    def classify_embeddings_batch(self, windows: np.ndarray) -> np.ndarray:
        """Runs the head on several people's windows: (n, time, embed_dim) -> (n, classes).

        One interpreter call per window: the head's file takes a batch of one. Its LSTM loop
        (a WHILE) is sized for that batch, so `resize_tensor_input` cannot grow it (LiteRT
        refuses, strict or not), and a head exported with a free batch axis does not convert
        to builtin ops (the loop's tensor lists need TF ops, which LiteRT lacks). A fixed batch
        of 4 converts and gives the same numbers, but saved only ~0.2 ms a frame with four
        people (0.12 against 0.31 ms, measured on the default head), against a second head file
        in every bundle: not worth it while BlazePose costs several ms per person.
        """
        return np.stack([self.classify_embeddings(w) for w in np.asarray(windows, np.float32)])

    def classify_window(self, frames: np.ndarray) -> np.ndarray:
        """Runs the whole classifier on one window: (time, h, w, c) -> (classes,)."""
        frames = check_window(frames, self.config.frame_shape, batch=False)
        probs = self.classifier(frames[None])[0][0]
        return probs[-1] if probs.ndim == 2 else probs

    def predict_next(self, frames: np.ndarray) -> np.ndarray:
        """Predicts the frame after (time, h, w, c) frames -> (h, w, c), float in [0, 1].

        The file takes exactly `config.predictor_frames`; fewer are padded with the first.
        """
        frames = frames.astype(np.float32, copy=False)
        k = self.predictor.input_signature[1]
        if len(frames) < k:
            # A window shorter than the predictor's context (--window 2 or 3): the first frame
            # held, as a still start; the file takes exactly k frames.
            frames = np.concatenate([np.repeat(frames[:1], k - len(frames), axis=0), frames])
        if self.predictor.input_signature[-1] != frames.shape[-1]:
            # A predictor trained on gray frames still serves an RGB classifier.
            frames = frames.mean(axis=-1, keepdims=True)
        return self.predictor(frames[None])[0][0]

    def warm_up(self, window: int) -> None:
        """Sizes every interpreter for `window` once, so the first real frame is not slow."""
        frame = np.zeros(self.config.frame_shape, np.float32)
        if self.cached:
            steps = window - 1 if self.motion else window
            emb = self.embed(np.zeros(self.config.encoder_frame_shape, np.float32))
            self.classify_embeddings(np.repeat(emb[None], steps, axis=0))
        else:
            self.classify_window(np.repeat(frame[None], window, axis=0))
        if self.predictor is not None:
            self.predict_next(np.repeat(frame[None], self.config.predictor_frames, axis=0))
