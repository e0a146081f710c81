"""Per-frame embeddings of whole clips through a frozen encoder, computed once and cached.

Teaching a bundle new classes (`model.train.transfer`) trains only the temporal
head, so each clip goes through the encoder once, not once per epoch. The
embeddings are exactly what the live engine computes: embedding k of a motion
model is `encoder(motion_pair(frame[k], frame[k - 1]))` at the model's fps,
so a clip of t frames gives t - 1 embeddings (t without motion pairs).

Entries are stored as `<key>.npy` under the cache folder's `embeddings/`; the
key is the sha1 of the clip's preprocessed frames, of every encoder weight and
of the view (plain or mirrored), so retraining after one more recorded clip
only embeds that clip, and a different base model never reads stale entries.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.config import ModelConfig
from model.data.loading import to_model_input

# Bump when what an entry holds changes.
EMBED_CACHE_VERSION = 1
# Encoder inputs per compiled call: large enough to keep both cores busy, small
# enough that a 64 px motion batch stays around 8 MB.
_CHUNK = 256


def encoder_inputs(frames: np.ndarray, config: ModelConfig) -> np.ndarray:
    """The encoder's inputs for a clip, as `MotionPairs` and the live engine build them.

    Args:
        frames: uint8 (t, size, size, c) at `config.fps`, as `load_dataset` makes them.
        config: says whether the encoder takes motion pairs.

    Returns:
        float32 (t - 1, size, size, 2c) with `config.motion`, else (t, size, size, c).
    """
    x = to_model_input(frames)
    if not config.motion:
        return x
    return np.concatenate([x[1:], x[1:] - x[:-1]], axis=-1)


def weights_digest(encoder) -> str:
    """The sha1 of every weight of `encoder`: which encoder made an embedding."""
    h = hashlib.sha1()
    for w in encoder.get_weights():
        h.update(str(w.shape).encode())
        h.update(np.ascontiguousarray(w).tobytes())
    return h.hexdigest()


@dataclass
class EmbeddedClip:
    """One training clip as embedding sequences.

    Attributes:
        record: its `ClipRecord` (label, group, path).
        views: float32 (t', embed_dim) sequences: the clip, then its mirror image if used.
    """

    record: object
    views: list[np.ndarray]

    @property
    def label(self) -> str:
        return self.record.label


class ClipEmbedder:
    """Embeds clips with a frozen per-frame encoder, with an optional disk cache.

    Args:
        encoder: the per-frame encoder, (batch, h, w, c') -> (batch, embed_dim).
        config: the base model's config (frame shape, motion).
        cache_dir: folder for cached embeddings, or None to keep nothing on disk.

    Attributes:
        hits: clips (views) served from the cache since construction.
        misses: clips (views) that went through the encoder.
    """

    def __init__(self, encoder, config: ModelConfig, cache_dir: str | Path | None = None) -> None:
        self.encoder = encoder
        self.config = config
        self.root = Path(cache_dir).expanduser() / "embeddings" if cache_dir is not None else None
        self._digest = weights_digest(encoder)
        self.hits = 0
        self.misses = 0

    @property
    def embed_dim(self) -> int:
        return int(self.encoder.output.shape[-1])

    def embed_frames(self, inputs: np.ndarray) -> np.ndarray:
        """Runs the encoder over encoder inputs (n, h, w, c'); returns float32 (n, embed_dim)."""
        out = [np.asarray(self.encoder.predict_on_batch(inputs[i : i + _CHUNK]), np.float32)
               for i in range(0, len(inputs), _CHUNK)]
        return np.concatenate(out) if out else np.zeros((0, self.embed_dim), np.float32)

    def embed_clip(self, frames: np.ndarray, mirror: bool = False) -> np.ndarray:
        """The embeddings of one clip, from the cache when it holds them.

        Args:
            frames: uint8 (t, size, size, c) at the config's fps.
            mirror: embed the clip flipped left to right (an augmented view).

        Returns:
            float32 (t - 1, embed_dim) with motion pairs, else (t, embed_dim).
        """
        frames = np.ascontiguousarray(frames[:, :, ::-1] if mirror else frames)
        key = self._key(frames)
        cached = self._load(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        emb = self.embed_frames(encoder_inputs(frames, self.config))
        self._save(key, emb)
        return emb

    def embed_windows(self, windows: np.ndarray) -> np.ndarray:
        """Embeds whole windows (not cached: e.g. synthetic idle windows).

        Args:
            windows: uint8 (n, T, size, size, c).

        Returns:
            float32 (n, T - 1, embed_dim) with motion pairs, else (n, T, embed_dim).
        """
        inputs = np.concatenate([encoder_inputs(w, self.config) for w in windows]) if len(windows) else \
            np.zeros((0, *self.config.encoder_frame_shape), np.float32)
        emb = self.embed_frames(inputs)
        return emb.reshape(len(windows), -1, self.embed_dim)

    def _key(self, frames: np.ndarray) -> str:
        # NormalFlow has no weights: the weights' digest alone would not tell flow from pairs.
        inputs = f"motion={self.config.motion} input={self.config.motion_input}"
        h = hashlib.sha1(f"v{EMBED_CACHE_VERSION} {inputs} {self._digest}".encode())
        h.update(str(frames.shape).encode())
        h.update(frames.tobytes())
        return h.hexdigest()

    def _load(self, key: str) -> np.ndarray | None:
        if self.root is None:
            return None
        try:
            emb = np.load(self.root / f"{key}.npy", allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None  # absent, or half-written by a killed run: embed again
        return emb if emb.ndim == 2 and emb.shape[1] == self.embed_dim else None

    def _save(self, key: str, emb: np.ndarray) -> None:
        if self.root is None:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f"{key}.{os.getpid()}.tmp.npy"
            np.save(tmp, emb)
            os.replace(tmp, self.root / f"{key}.npy")
        except OSError:
            pass  # a full or read-only disk only costs speed next time
