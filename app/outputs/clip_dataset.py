"""The class-per-folder dataset that collected clips go into: `dataset/<label>/<timestamp>.mp4`."""

from __future__ import annotations

import re
from pathlib import Path

from app.outputs.files import timestamped_path
from model.data.manifests import find_videos

_LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class LabelError(ValueError):
    """A clip label that cannot be a folder name; the message says what to type."""


def check_label(text: str) -> str:
    """The label, stripped, if it can name a class folder.

    Raises:
        LabelError: empty, too long, or holding characters other than letters,
            digits, "-" and "_".
    """
    label = text.strip()
    if not _LABEL_RE.match(label):
        raise LabelError(
            "`label` must be 1-64 letters, digits, '-' or '_' (it names a folder), "
            f"starting with a letter or digit. Received: label={text!r}"
            + (" Hint: use '_' instead of spaces." if " " in label else "")
        )
    return label


def clip_path(dataset_dir: str | Path, label: str, now: float | None = None) -> Path:
    """A new, unused path `dataset_dir/label/<YYYYmmdd-HHMMSS-mmm>.mp4`; creates the folder.

    Args:
        dataset_dir: the dataset root.
        label: a label accepted by `check_label`.
        now: the time to name the clip after (default: now).

    Returns:
        The clip path (the file does not exist yet).
    """
    folder = Path(dataset_dir) / check_label(label)
    folder.mkdir(parents=True, exist_ok=True)
    return timestamped_path(folder, "", ".mp4", now)


def count_clips(dataset_dir: str | Path) -> dict[str, int]:
    """Clips per label folder, labels sorted (hidden files are not counted).

    A clip cut short by a crash counts: it plays up to the crash (see `VideoRecorder`).
    """
    root = Path(dataset_dir)
    if not root.is_dir():
        return {}
    counts = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        counts[folder.name] = len(find_videos(folder))
    return counts
