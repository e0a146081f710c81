"""What every writer of files shares: the output error, the early path check,
atomic replacement and timestamped names.

Writers call `check_output_path` before any work starts, so a bad path fails in
one line and leaves nothing behind, and `atomic_write` for files that are written
whole (segments, exported logs), so a reader sees the old file or the new one,
never half of one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


class OutputError(Exception):
    """An output file cannot be written; the message names the path and the fix."""


def check_output_path(path: str | os.PathLike, what: str = "output file") -> Path:
    """Fails early when `path` cannot be created, before any processing starts.

    Args:
        path: the file to be written.
        what: what the file is, for the message (e.g. "events file").

    Returns:
        `path` as a `Path`.

    Raises:
        OutputError: the folder is missing or not writable, or `path` is a folder.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"Cannot write {what} {path}: folder {folder} does not exist; create it first.")
    if path.is_dir():
        raise OutputError(f"Cannot write {what} {path}: it is a folder; give a file name.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write {what} {path}: folder {folder} is not writable.")
    return path


@contextmanager
def atomic_write(path: str | os.PathLike, what: str = "output file", newline: str | None = None) -> Iterator[TextIO]:
    """Opens a temporary text file beside `path` and renames it into place on success.

    Args:
        path: the final file.
        what: what the file is, for the error message.
        newline: passed to `open` (csv wants "").

    Yields:
        The open temporary file.

    Raises:
        OutputError: writing or renaming failed; the temporary file is removed.
    """
    path = Path(path)
    # Same folder, so the rename is atomic; a plain open (unlike mkstemp's 0600) keeps the
    # user's umask permissions.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(tmp, "w", encoding="utf-8", newline=newline) as f:
            yield f
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Writing {what} {path} failed: {e.strerror or e}.") from e


def timestamp(now: float | None = None) -> str:
    """`YYYYmmdd-HHMMSS-mmm` in local time: sorts by time, unique to the millisecond."""
    now = time.time() if now is None else now
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{int(now * 1000) % 1000:03d}"


def timestamped_path(folder: str | os.PathLike, prefix: str, suffix: str, now: float | None = None) -> Path:
    """A path `folder/<prefix><timestamp><suffix>` that does not exist yet.

    Args:
        folder: where the file goes (must exist).
        prefix: e.g. "recording-", or "" for a bare timestamp.
        suffix: the extension with its dot, e.g. ".mp4".
        now: the time to name the file after (default: now).
    """
    folder = Path(folder)
    stem = f"{prefix}{timestamp(now)}"
    path, n = folder / f"{stem}{suffix}", 1
    while path.exists():
        path, n = folder / f"{stem}-{n}{suffix}", n + 1
    return path
