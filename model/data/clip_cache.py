"""A disk cache of decoded, resampled and resized clips.

Decoding a 640x480 clip costs far more than reading 64x64 uint8 frames back,
and every training run and evaluation fold needs the same frames.

The key is the sha1 of:
- the file's content: the sha1 of all its bytes for files up to 64 MiB, else
  of its size plus its first and last 4 MiB. Content, not path or mtime, so a
  copied or touched file still hits and an edited one misses;
- the preprocessing: `size`, `color`, `fps` and `preprocessing` of the
  `ModelConfig`, the OpenCV version (its resize may change) and
  `CACHE_VERSION`.

Entries are `<key>.npz` files holding `frames` (uint8 (t, size, size, c)).
They are written atomically; an unreadable entry counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from model.config import ModelConfig
from model.crop import MotionCrop

# Bump when the way clips are decoded or stored changes.
CACHE_VERSION = 1
_WHOLE_FILE_LIMIT = 64 * 2**20
_EDGE_BYTES = 4 * 2**20
_CHUNK = 2**20


def default_cache_dir() -> Path:
    """`$ACTIONLENS_CACHE` if set, else ~/.cache/actionlens/clips."""
    env = os.environ.get("ACTIONLENS_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "actionlens" / "clips"


def content_digest(path: str | Path) -> str:
    """The sha1 hex digest identifying a file's content (see the module docstring)."""
    path = Path(path)
    size = path.stat().st_size
    h = hashlib.sha1()
    with path.open("rb") as f:
        if size <= _WHOLE_FILE_LIMIT:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                h.update(chunk)
        else:
            h.update(f"size={size}".encode())
            h.update(f.read(_EDGE_BYTES))
            f.seek(size - _EDGE_BYTES)
            h.update(f.read(_EDGE_BYTES))
    return h.hexdigest()


class ClipCache:
    """Stores preprocessed clips as .npz files keyed by content and preprocessing.

    Args:
        root: the cache folder; defaults to `default_cache_dir()`. Created on first write.

    Attributes:
        hits: loads served from disk since construction.
        misses: loads that had to decode.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0

    def key(self, path: str | Path, config: ModelConfig) -> str:
        """The cache key of `path` preprocessed as `config` says."""
        params = {
            "content": content_digest(path),
            "size": config.size,
            "color": config.color,
            "fps": float(config.fps),
            "preprocessing": config.preprocessing,
            "crop": config.crop,
            # The crop's own settings too: clips cropped with other settings are other frames.
            "crop_settings": MotionCrop().signature() if config.crop == "motion" else None,
            "opencv": cv2.__version__,
            "version": CACHE_VERSION,
        }
        return hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()

    def entry_path(self, key: str) -> Path:
        return self.root / f"{key}.npz"

    def load(self, key: str) -> np.ndarray | None:
        """The stored frames for `key`, or None when absent or unreadable."""
        entry = self.entry_path(key)
        if not entry.is_file():
            return None
        try:
            with np.load(entry, allow_pickle=False) as data:
                return data["frames"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            # A half-written or foreign file: decode again and overwrite it.
            return None

    def save(self, key: str, frames: np.ndarray) -> None:
        """Stores uint8 frames (t, size, size, c) under `key`, atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        entry = self.entry_path(key)
        tmp = entry.with_name(f"{entry.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, frames=np.ascontiguousarray(frames))
        os.replace(tmp, entry)

    def get_or_create(
        self, path: str | Path, config: ModelConfig, decode: Callable[[], np.ndarray]
    ) -> np.ndarray:
        """Returns the cached frames of `path`, calling `decode()` and storing them on a miss.

        Args:
            path: the source video (hashed for the key).
            config: the preprocessing the frames were made with.
            decode: makes the uint8 frames (t, size, size, c) on a miss.

        Returns:
            uint8 array of shape (t, size, size, c).
        """
        key = self.key(path, config)
        frames = self.load(key)
        if frames is not None and frames.shape[1:] == config.frame_shape:
            self.hits += 1
            return frames
        self.misses += 1
        frames = decode()
        try:
            self.save(key, frames)
        except OSError:
            # A read-only or full disk only costs speed; training goes on uncached.
            pass
        return frames
