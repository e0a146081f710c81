"""Text files written and read a whole line at a time: what a crash can and cannot cut.

`LineWriter` hands each line to the kernel in one `write` system call on an
unbuffered file, so a killed process (SIGKILL, OOM killer, a segfault elsewhere)
leaves whole lines only. A full disk can make that write short; the file is then
cut back to where the line began, so not even a full disk leaves half a line.

A power cut can still lose what the kernel had not stored yet. `fsync` runs at most
every `FSYNC_EVERY_S` seconds to bound that loss, not after every line: on a slow
disk an fsync costs milliseconds, and lines are written on the inference thread.
So a power cut may end a file in a torn line after all (or in zeros); `read_lines`
skips such a last line with a `TornLineWarning`, as it does for files from older
versions that flushed less carefully.
"""

from __future__ import annotations

import os
import stat
import time
import warnings
from pathlib import Path

from app.outputs.files import OutputError, check_output_path

# At most this long between fsyncs: what a power cut (not a crash) may cost.
FSYNC_EVERY_S = 1.0


class TornLineWarning(UserWarning):
    """A file's last line was cut short (a crash or power cut while it was written)."""


class LineWriter:
    """Appends whole lines to a new file (one already at `path` is replaced).

    Args:
        path: the file to write.
        what: what the file is, for messages (e.g. "events file").

    Attributes:
        path: the file.
        lines_written: lines in the file.
        error: one line saying why writing stopped, or None.

    Raises:
        OutputError: the file cannot be created (the message names it).
    """

    def __init__(self, path: str | os.PathLike, what: str = "log file") -> None:
        self.path = check_output_path(path, what)
        self.what = what
        self.lines_written = 0
        self.error: str | None = None
        self._size = 0
        self._synced_at = time.monotonic()
        try:
            inherited = inherited_fd(self.path)
            # `--events /dev/stdout > file`: a fresh open would get its own offset into that file,
            # and the summary printed to stdout would overwrite the first lines; a dup shares it.
            self._fd: int | None = (os.dup(inherited) if inherited is not None else
                                    os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        except OSError as e:
            raise OutputError(f"Cannot write {what} {self.path}: {e.strerror or e}.") from e
        # A pipe or terminal (`--events /dev/stdout`) cannot be fsynced: there is no disk to store to.
        self._on_disk = stat.S_ISREG(os.fstat(self._fd).st_mode)
        # Shared with others (stdout): its length is not ours to cut back.
        self._shared = inherited is not None

    @property
    def closed(self) -> bool:
        """Whether the file is closed (by `close`, or by a write error)."""
        return self._fd is None

    def write_line(self, text: str) -> bool:
        """Appends `text` (without its newline) as one line.

        Returns:
            True when the line is in the file; False once writing has stopped (see `error`).

        Raises:
            OutputError: the writer was already closed.
        """
        if self._fd is None:
            if self.error is not None:
                return False
            raise OutputError(f"Cannot write {self.what} {self.path}: it is already closed.")
        data = (text + "\n").encode("utf-8")
        start = self._size
        try:
            done = 0
            while done < len(data):  # a short write means the disk is full; the next one says so
                done += os.write(self._fd, data[done:])
            self._size += len(data)
            self.lines_written += 1
            now = time.monotonic()
            if now - self._synced_at >= FSYNC_EVERY_S:
                self._synced_at = now
                self._sync()
        except OSError as e:
            self._stop(e.strerror or str(e), cut_to=start)
            return False
        return True

    def close(self) -> None:
        """Stores the file (fsync) and closes it; safe to call twice."""
        if self._fd is None:
            return
        try:
            self._sync()
        except OSError as e:
            self._stop(e.strerror or str(e), cut_to=self._size)
            return
        fd, self._fd = self._fd, None
        os.close(fd)

    def _sync(self) -> None:
        if not self._on_disk:
            return
        if os.fstat(self._fd).st_nlink == 0:
            raise OSError(0, "the file was deleted (or its folder removed) while being written")
        os.fsync(self._fd)

    def _stop(self, reason: str, cut_to: int) -> None:
        self.error = (f"Writing {self.what} {self.path} stopped after {self.lines_written} lines: "
                      f"{reason}; the lines before are kept.")
        fd, self._fd = self._fd, None
        try:
            if not self._shared:
                os.ftruncate(fd, cut_to)  # no half line left behind
        except OSError:
            pass  # the drive is gone; readers skip a torn last line
        try:
            os.close(fd)
        except OSError:
            pass


def inherited_fd(path: str | os.PathLike) -> int | None:
    """The descriptor number that /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N names."""
    text = str(path)
    named = {"/dev/stdout": 1, "/dev/stderr": 2}
    if text in named:
        return named[text]
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        if text.startswith(prefix) and text[len(prefix):].isdigit():
            return int(text[len(prefix):])
    return None


def read_lines(path: str | os.PathLike) -> list[str]:
    """The complete lines of a text file, without their newlines.

    A last line without its newline (or made of NUL bytes, as a power cut can leave)
    is skipped with a `TornLineWarning` naming the file.

    Args:
        path: the file.

    Returns:
        The lines, in order.
    """
    path = Path(path)
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    tail = lines.pop()  # "" when the file ends in a newline, as every whole file does
    if tail:
        warnings.warn(f"{path}: skipped a torn last line ({len(tail)} characters); "
                      "the file was cut off while it was written.", TornLineWarning, stacklevel=2)
    return lines
