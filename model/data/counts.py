"""Repetition counts made by eye: a CSV of `path,count` rows (`label` and `note` optional).

`path` is relative to a root folder (by default the CSV's own), as in a manifest;
lines starting with `#` say how the counts were made and are skipped. A manifest's
optional `count` column gives the same thing for its clips (`model.data.manifests`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from model.data.manifests import ClipRecord, parse_count
from model.errors import DatasetError


def read_counts(path: str | Path, root: str | Path | None = None) -> list[ClipRecord]:
    """The counted clips of a counts CSV, as records with `count` set.

    Args:
        path: the CSV (`path,count[,label][,note]`).
        root: the folder `path` cells are relative to; None: the CSV's folder.

    Returns:
        Records in file order; `group` is the file's stem (counting needs no splits).

    Raises:
        DatasetError: the file or a clip is missing, a column is missing, or a count is not a number.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(f"Counts file not found: {path}. Pass a CSV with columns path,count.")
    base = Path(root).expanduser() if root is not None else path.parent
    with path.open(newline="", encoding="utf-8") as f:
        lines = [line for line in f if not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    if not {"path", "count"} <= set(reader.fieldnames or []):
        raise DatasetError(f"{path} must have columns path,count (label and note optional). "
                           f"Received: {reader.fieldnames}")
    records = []
    for row in reader:
        where = f"{path}, the row for {(row.get('path') or '').strip() or '(no path)'}"
        count = parse_count(row.get("count") or "", where)
        if count is None:
            continue
        file = base / (row.get("path") or "").strip()
        if not file.is_file():
            raise DatasetError(f"{where}: video {file} not found. Pass --counts-root, the folder its paths "
                               "are relative to, or fix the row.")
        records.append(ClipRecord(file, (row.get("label") or "").strip() or "?", file.stem, "counts", count))
    return records
