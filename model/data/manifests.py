"""Finds labelled clips on disk and decodes them into model-ready frames.

Two layouts are read by `load_records`:

- A folder with `manifest.csv` (columns `path`, `label`, `group`, and
  optionally `dataset` and `count`, the clip's repetitions counted by eye;
  `path` is relative to the folder). Extra columns are ignored.
- A class-per-folder tree (UCF101 style): `root/<label>/**/<video>`. The group
  of a clip, which decides what may share a split, comes from `root/groups.csv`
  (columns `path`, `group`; `path` relative to root; every video must be
  listed) if present; else from a UCF101-style `_gNN_` in the file name (group
  "gNN"); else the file stem, so each clip is its own group. That last
  fallback cannot keep one person out of both splits: add groups.csv.

Decoding the clips into model input is model/data/loading.py's job.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from model.errors import DatasetError

VIDEO_EXTENSIONS = (".avi", ".mp4", ".mov", ".mkv", ".webm", ".mpg", ".mpeg", ".m4v", ".wmv")
_UCF_GROUP = re.compile(r"_g(\d+)_", re.IGNORECASE)


@dataclass(frozen=True)
class ClipRecord:
    """One labelled video file.

    Attributes:
        path: the video file.
        label: its class name.
        group: the person or recording session; never split across train and test.
        dataset: the collection it came from, for per-dataset reports.
        count: the action's repetitions in the clip, counted by eye; None when not counted.
    """

    path: Path
    label: str
    group: str
    dataset: str = ""
    count: int | None = None


def load_records(path: str | Path, min_classes: int = 2) -> list[ClipRecord]:
    """Lists the labelled clips under a data folder.

    Args:
        path: a folder holding `manifest.csv`, the manifest file itself, or a
            class-per-folder tree (see the module docstring).
        min_classes: refuse fewer classes than this: 2 to train a classifier,
            1 to score clips of one action.

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
    if len(labels) < min_classes:
        raise DatasetError(
            f"Only one class ({labels[0]!r}) found in {root}; a classifier needs at least 2. "
            "Add a folder per class (an idle class counts)."
        )
    return sorted(records, key=lambda r: str(r.path))


def relabel(
    records: Sequence[ClipRecord],
    mapping: dict[str, str] | None = None,
    known: Sequence[str] | None = None,
    background: str = "other",
) -> list[ClipRecord]:
    """Renames labels, and folds everything that is not a known action into one background class.

    Data from several sources names the same action differently (`wave` here,
    `wave_one_hand` there), and most of a new source's clips are actions the model
    should not learn but must not mistake for one: they become `background`.

    Args:
        records: the clips, e.g. from `load_records`.
        mapping: {source label: new label}, applied first.
        known: the labels to keep; any other label becomes `background`. None keeps all.
        background: the background class's name.

    Returns:
        New records (the inputs are frozen).
    """
    mapping = mapping or {}
    out = []
    for r in records:
        label = mapping.get(r.label, r.label)
        if known is not None and label not in known:
            label = background
        out.append(dataclasses.replace(r, label=label))
    return out


def parse_label_map(items: Sequence[str] | None) -> dict[str, str]:
    """`["wave=wave_one_hand", ...]` -> {"wave": "wave_one_hand", ...}.

    Raises:
        DatasetError: an item is not of the form FROM=TO.
    """
    mapping = {}
    for item in items or ():
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise DatasetError(f"`--map` takes FROM=TO pairs, e.g. wave=wave_one_hand. Received: {item!r}")
        mapping[src.strip()] = dst.strip()
    return mapping


def find_videos(folder: str | Path) -> list[Path]:
    """Every video file under `folder`, at any depth, sorted.

    Hidden files are skipped: they are a system's own files (`.DS_Store`, `._clip.mp4`)
    or an editor's temporary copies, never clips.
    """
    return sorted(
        p for p in Path(folder).rglob("*")
        if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS and not p.name.startswith(".")
    )


def parse_count(text: str, where: str) -> int | None:
    """A `count` cell as a whole number of repetitions, None when empty.

    Raises:
        DatasetError: not a whole number from 0 up, naming `where`.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise DatasetError(f"{where}: `count` must be a whole number of repetitions (0 or more), "
                           f"or empty when not counted. Received: {text!r}")
    return value


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
            count = parse_count(row.get("count") or "", f"{manifest} line {line}")
            records.append(ClipRecord(file, label, group, (row.get("dataset") or "").strip(), count))
    return records


def _read_class_folders(root: Path) -> list[ClipRecord]:
    groups = _read_groups_csv(root / "groups.csv")
    records = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        videos = find_videos(folder)
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
