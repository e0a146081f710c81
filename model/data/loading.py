"""Loads labelled clips into model-ready uint8 frames, with an optional cache.

Decoded clips are stored as uint8 (t, size, size, c): the exact pixels
`preprocess_frame` produces before it scales to [0, 1]. `to_model_input`
does that scaling, so cached clips equal `preprocess_frame` output bit for bit.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.config import ModelConfig
from model.data import decoding
from model.data.manifests import ClipRecord
from model.errors import DatasetError
from model.preprocess import FramePreprocessor

if TYPE_CHECKING:
    from model.data.clip_cache import ClipCache


def to_model_input(frames: np.ndarray) -> np.ndarray:
    """Scales stored uint8 frames to model input, exactly as `preprocess_frame` does.

    Args:
        frames: uint8 array of any shape, e.g. (t, size, size, c).

    Returns:
        float32 array of the same shape in [0, 1].
    """
    return np.asarray(frames).astype(np.float32) * np.float32(1.0 / 255.0)


def load_clip_frames(
    record: ClipRecord, config: ModelConfig, cache: ClipCache | None = None
) -> np.ndarray:
    """Decodes one clip, resamples it to `config.fps` and preprocesses each frame.

    Args:
        record: the clip to load.
        config: gives fps, size and colour mode.
        cache: optional `ClipCache`; a hit skips decoding.

    Returns:
        uint8 array of shape (t, size, size, c); `to_model_input` of it equals
        `preprocess_frame` of the resampled source frames.

    Raises:
        DatasetError: the file is missing, undecodable or truncated.
    """
    if cache is not None:
        return cache.get_or_create(record.path, config, lambda: _decode(record.path, config))
    return _decode(record.path, config)


def _decode(path: Path, config: ModelConfig) -> np.ndarray:
    preprocess = FramePreprocessor(config)  # one per clip: a motion crop follows this clip only

    def to_uint8(frame: np.ndarray) -> np.ndarray:
        # preprocess_frame scales uint8 by 1/255 in float32; *255 and rounding recovers them exactly.
        return np.rint(preprocess(frame) * 255.0).astype(np.uint8)

    # Preprocessing while decoding keeps only small frames in memory, even for long HD files.
    frames, fps = decoding.read_video(path, strict=True, transform=to_uint8)
    return frames[decoding.resample_indices(len(frames), fps, config.fps)]


def load_dataset(
    records: Sequence[ClipRecord],
    config: ModelConfig,
    cache: ClipCache | None = None,
    *,
    progress: bool = True,
) -> tuple[list[tuple[ClipRecord, np.ndarray]], list[str]]:
    """Loads every clip, skipping the ones that cannot be decoded.

    Args:
        records: clips to load.
        config: gives fps, size and colour mode.
        cache: optional `ClipCache`.
        progress: draw a progress bar on stderr.

    Returns:
        (loaded, warnings): loaded pairs each usable record with its uint8
        frames (t, size, size, c); warnings has one line per skipped file.

    Raises:
        DatasetError: no clip could be loaded.
    """
    loaded, problems = [], []
    bar = _ProgressBar(len(records), enabled=progress)
    for record in records:
        try:
            loaded.append((record, load_clip_frames(record, config, cache)))
        except DatasetError as e:
            problems.append(f"Skipped {record.path}: {e}")
        bar.update(record.path.name)
    bar.close()
    if not loaded:
        first = problems[0] if problems else "no records given"
        raise DatasetError(
            f"None of the {len(records)} clips could be loaded. First problem: {first}"
        )
    return loaded, problems


class _ProgressBar:
    """A one-line stderr bar; plain lines every 10% when stderr is not a terminal."""

    def __init__(self, total: int, enabled: bool = True, width: int = 30) -> None:
        self.total, self.done, self.width = total, 0, width
        self.enabled = enabled and total > 0
        self.tty = self.enabled and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.start = time.monotonic()
        self._last_decile = -1

    def update(self, name: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        frac = self.done / self.total
        line = f"Loading clips {self.done}/{self.total} ({time.monotonic() - self.start:.1f} s)"
        if self.tty:
            filled = int(frac * self.width)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (self.width - filled)}] {line} {name[:30]:<30}"
            )
            sys.stderr.flush()
        elif int(frac * 10) > self._last_decile:
            self._last_decile = int(frac * 10)
            print(line, file=sys.stderr)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
