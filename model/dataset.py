"""Finds labelled clips on disk and decodes them into model-ready frames.

Two layouts are read by `load_records`:

- A folder with `manifest.csv` (columns `path`, `label`, `group`, and
  optionally `dataset`; `path` is relative to the folder). Extra columns are
  ignored.
- A class-per-folder tree (UCF101 style): `root/<label>/**/<video>`. The group
  of a clip, which decides what may share a split, comes from `root/groups.csv`
  (columns `path`, `group`; `path` relative to root; every video must be
  listed) if present; else from a UCF101-style `_gNN_` in the file name (group
  "gNN"); else the file stem, so each clip is its own group. That last
  fallback cannot keep one person out of both splits: add groups.csv.

Decoded clips are stored as uint8 (t, size, size, c): the exact pixels
`preprocess_frame` produces before it scales to [0, 1]. `to_model_input`
does that scaling, so cached clips equal `preprocess_frame` output bit for bit.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.config import ModelConfig
from model.preprocess import preprocess_frame

if TYPE_CHECKING:
    from model.clip_cache import ClipCache

VIDEO_EXTENSIONS = (".avi", ".mp4", ".mov", ".mkv", ".webm", ".mpg", ".mpeg", ".m4v", ".wmv")
_UCF_GROUP = re.compile(r"_g(\d+)_", re.IGNORECASE)


class DatasetError(ValueError):
    """Bad training data; the one-line message names the file and what to do."""


@dataclass(frozen=True)
class ClipRecord:
    """One labelled video file.

    Attributes:
        path: the video file.
        label: its class name.
        group: the person or recording session; never split across train and test.
        dataset: the collection it came from, for per-dataset reports.
    """

    path: Path
    label: str
    group: str
    dataset: str = ""


def load_records(path: str | Path) -> list[ClipRecord]:
    """Lists the labelled clips under a data folder.

    Args:
        path: a folder holding `manifest.csv`, the manifest file itself, or a
            class-per-folder tree (see the module docstring).

    Returns:
        Records sorted by path.

    Raises:
        DatasetError: the path is missing, a manifest row names a missing file
            or lacks a column, a class folder is empty, no video is found, or
            fewer than 2 classes are present.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise DatasetError(
            f"Data path not found: {root}. Pass a folder with manifest.csv or one folder per class."
        )
    if root.is_file():
        if root.suffix.lower() != ".csv":
            raise DatasetError(f"Data path {root} is a file; pass its folder or a manifest.csv.")
        records = _read_manifest(root)
    elif (root / "manifest.csv").is_file():
        records = _read_manifest(root / "manifest.csv")
    else:
        records = _read_class_folders(root)
    if not records:
        raise DatasetError(
            f"No videos found in {root}. Expected manifest.csv or <label>/<video> folders."
        )
    labels = labels_of(records)
    if len(labels) < 2:
        raise DatasetError(
            f"Only one class ({labels[0]!r}) found in {root}; a classifier needs at least 2. "
            "Add a folder per class (an idle class counts)."
        )
    return sorted(records, key=lambda r: str(r.path))


def labels_of(records: Sequence[ClipRecord]) -> list[str]:
    """The sorted unique labels of `records`."""
    return sorted({r.label for r in records})


def _read_manifest(manifest: Path) -> list[ClipRecord]:
    root = manifest.parent
    with manifest.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("path", "label", "group") if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(
                f"{manifest} lacks column(s) {', '.join(missing)}; expected a header with "
                f"path,label,group[,dataset]. Received: {reader.fieldnames}"
            )
        records = []
        for line, row in enumerate(reader, start=2):
            rel = (row.get("path") or "").strip()
            label = (row.get("label") or "").strip()
            group = (row.get("group") or "").strip()
            if not rel or not label or not group:
                raise DatasetError(
                    f"{manifest} line {line}: empty path, label or group. Fill it in or delete the row."
                )
            file = root / rel
            if not file.is_file():
                raise DatasetError(
                    f"{manifest} line {line}: video {rel} not found at {file}. Fix the path or delete the row."
                )
            records.append(ClipRecord(file, label, group, (row.get("dataset") or "").strip()))
    return records


def _read_class_folders(root: Path) -> list[ClipRecord]:
    groups = _read_groups_csv(root / "groups.csv")
    records = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        videos = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS
        )
        if not videos:
            raise DatasetError(
                f"Class folder {folder} has no videos ({', '.join(VIDEO_EXTENSIONS)}). Add clips or remove the folder."
            )
        for video in videos:
            rel = video.relative_to(root).as_posix()
            if groups is not None:
                if rel not in groups:
                    raise DatasetError(
                        f"{root / 'groups.csv'} has no row for {rel}. Add `{rel},<group>`."
                    )
                group = groups[rel]
            else:
                match = _UCF_GROUP.search(video.stem)
                group = f"g{int(match.group(1)):02d}" if match else video.stem
            records.append(ClipRecord(video, folder.name, group, root.name))
    return records


def _read_groups_csv(path: Path) -> dict[str, str] | None:
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not {"path", "group"} <= set(reader.fieldnames or []):
            raise DatasetError(
                f"{path} must have columns path,group. Received: {reader.fieldnames}"
            )
        return {row["path"].strip(): row["group"].strip() for row in reader}


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
    # Imported here: video_io imports DatasetError from this module.
    from model import video_io

    def to_uint8(frame: np.ndarray) -> np.ndarray:
        # preprocess_frame scales uint8 by 1/255 in float32; *255 and rounding recovers them exactly.
        return np.rint(preprocess_frame(frame, config) * 255.0).astype(np.uint8)

    # Preprocessing while decoding keeps only small frames in memory, even for long HD files.
    frames, fps = video_io.read_video(path, strict=True, transform=to_uint8)
    return frames[video_io.resample_indices(len(frames), fps, config.fps)]


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
