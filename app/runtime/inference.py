"""Compiled model calls for the hot path, owned by the inference thread.

Each call goes through `predict_on_batch`, which runs a compiled (traced)
function: on this CPU a compiled LSTM window takes ~3 ms where eager
`model(x)` takes ~60 ms and `model.predict` ~75 ms per call, because
`predict` builds a dataset and a progress loop for every window.
"""

from __future__ import annotations

import contextlib

import numpy as np

from model.bundle import Bundle
from model.shapes import check_frame, check_window


class CompiledModels:
    """The bundle's models behind compiled, shape-checked calls.

    Args:
        bundle: a loaded model bundle.
        device: a TensorFlow device string ("/CPU:0", "/GPU:0"); ignored on other backends.
    """

    def __init__(self, bundle: Bundle, device: str = "/CPU:0"):
        self.bundle = bundle
        self.config = bundle.config
        self.device = device
        from model.nets.networks import split_classifier  # imports Keras: only once a model exists

        split = split_classifier(bundle.classifier)
        self.encoder, self.head = split if split is not None else (None, None)
        self.classifier = bundle.classifier
        self.predictor = bundle.predictor
        self.runtime_name = "Keras"

    @property
    def cached(self) -> bool:
        """True when per-frame embeddings can be cached (the classifier splits)."""
        return self.encoder is not None

    @property
    def embed_dim(self) -> int | None:
        """Width of one cached embedding, or None when nothing is cached."""
        return None if self.encoder is None else int(self.encoder.output.shape[-1])

    @property
    def motion(self) -> bool:
        """True when the encoder takes (frame, change) pairs: see `model.nets.layers.MotionPairs`."""
        return bool(getattr(self.config, "motion", False))

    def _scope(self):
        from model.backend import import_keras

        if import_keras().backend.backend() == "tensorflow":
            import tensorflow as tf

            return tf.device(self.device)
        return contextlib.nullcontext()

    def embed(self, frame: np.ndarray) -> np.ndarray:
        """Runs the per-frame encoder once.

        Args:
            frame: preprocessed frame (h, w, c); for a motion model the pair
                `model.preprocess.motion_pair(frame, previous)`, (h, w, 2c).

        Returns:
            The embedding, (embed_dim,).
        """
        frame = check_frame(frame, self.config.encoder_frame_shape)
        return self.embed_batch(frame[None])[0]

    def embed_batch(self, frames: np.ndarray) -> np.ndarray:
        """Runs the per-frame encoder on several inputs in one call.

        Args:
            frames: (n, h, w, c) encoder inputs, as for `embed`.

        Returns:
            The embeddings, (n, embed_dim).
        """
        frames = np.asarray(frames, np.float32)
        with self._scope():
            return np.asarray(self.encoder.predict_on_batch(frames))

    def classify_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """Runs the temporal head on cached embeddings.

        Args:
            embeddings: (time, embed_dim).

        Returns:
            Class probabilities, (classes,) (the last step's, for frame-wise heads).
        """
        with self._scope():
            probs = np.asarray(self.head.predict_on_batch(embeddings[None].astype(np.float32)))[0]
        return probs[-1] if probs.ndim == 2 else probs

    def classify_embeddings_batch(self, windows: np.ndarray) -> np.ndarray:
        """Runs the temporal head once on several people's windows.

        Args:
            windows: (n, time, embed_dim).

        Returns:
            Class probabilities, (n, classes) (each window's last step, for frame-wise heads).
        """
        with self._scope():
            probs = np.asarray(self.head.predict_on_batch(np.asarray(windows, np.float32)))
        return probs[:, -1] if probs.ndim == 3 else probs

    def classify_window(self, frames: np.ndarray) -> np.ndarray:
        """Runs the full classifier on one window (the path for unsplittable models).

        Args:
            frames: preprocessed window (time, h, w, c).

        Returns:
            Class probabilities, (classes,).
        """
        frames = check_window(frames, self.config.frame_shape, batch=False)
        with self._scope():
            probs = np.asarray(self.classifier.predict_on_batch(frames[None]))[0]
        return probs[-1] if probs.ndim == 2 else probs

    def predict_next(self, frames: np.ndarray) -> np.ndarray:
        """Predicts the frame after `frames`.

        Args:
            frames: the last few preprocessed frames at the model's fps, (time, h, w, c).

        Returns:
            The predicted next frame, (h, w, c), float in [0, 1].
        """
        frames = frames.astype(np.float32, copy=False)
        if self.predictor.input.shape[-1] != frames.shape[-1]:
            # A predictor trained on gray frames still serves an RGB classifier.
            frames = frames.mean(axis=-1, keepdims=True)
        with self._scope():
            return np.asarray(self.predictor.predict_on_batch(frames[None]))[0]

    def warm_up(self, window: int) -> None:
        """Traces every compiled call once, so the first real frame is not slow.

        Args:
            window: the window length (T) that will be used first.
        """
        frame = np.zeros(self.config.frame_shape, np.float32)
        if self.cached:
            steps = window - 1 if self.motion else window
            encoder_input = np.zeros(self.config.encoder_frame_shape, np.float32)
            # A filling window embeds several inputs at once, later frames one each.
            self.embed_batch(np.repeat(encoder_input[None], steps, axis=0))
            emb = self.embed(encoder_input)
            self.classify_embeddings(np.repeat(emb[None], steps, axis=0))
        else:
            self.classify_window(np.repeat(frame[None], window, axis=0))
        if self.predictor is not None:
            self.predict_next(np.repeat(frame[None], self.config.predictor_frames, axis=0))
