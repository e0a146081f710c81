"""A segments file written as segments close, so a crash keeps every finished one.

`actionlens run --segments` used to write its file at the end, so a killed run left
none. `SegmentFile` is handed the segments so far whenever one closes: a .csv gets
each new segment as one whole line (app/outputs/lines.py); a .json, being one list,
is rewritten whole and atomically (a reader sees the old list or the new one).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

from app.outputs.event_log import (
    SEGMENT_FIELDS,
    SEGMENT_FORMATS,
    Segment,
    segment_row,
    write_segments,
)
from app.outputs.files import OutputError, check_output_path
from app.outputs.lines import LineWriter


def _csv_line(values: Sequence) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


class SegmentFile:
    """Keeps a .csv or .json segments file up to date with the segments closed so far.

    A write error stops the file instead of raising: `error` says why in one line,
    and the segments already written stay.

    Args:
        path: the file (replaced if it exists); its extension picks the format.

    Raises:
        OutputError: unknown extension, or the file cannot be created.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        path = Path(path)
        if path.suffix.lower() not in SEGMENT_FORMATS:
            raise OutputError(
                f"Cannot write segments file {path}: unknown extension {path.suffix!r}; "
                "use .csv or .json."
            )
        self.path = check_output_path(path, "segments file")
        self._written = 0
        self._json_error: str | None = None
        self._lines: LineWriter | None = None
        if path.suffix.lower() == ".csv":
            self._lines = LineWriter(path, "segments file")
            self._lines.write_line(_csv_line(SEGMENT_FIELDS))
        else:
            write_segments(path, [])  # a valid (empty) list from the start

    @property
    def error(self) -> str | None:
        """Why the file stopped being updated, or None."""
        return self._lines.error if self._lines is not None else self._json_error

    def update(self, segments: Sequence[Segment]) -> bool:
        """Writes the segments not in the file yet.

        Args:
            segments: every closed segment so far, in order (e.g. `SegmentTracker.segments`).

        Returns:
            False once the file has stopped being updated (see `error`).
        """
        if self.error is not None:
            return False
        new = segments[self._written:]
        if not new:
            return True
        if self._lines is not None:
            for segment in new:
                if not self._lines.write_line(_csv_line(list(segment_row(segment).values()))):
                    return False
                self._written += 1
            return True
        try:
            write_segments(self.path, segments)
        except OutputError as e:
            self._json_error = str(e)
            return False
        self._written = len(segments)
        return True

    def close(self) -> None:
        """Stores and closes the file; safe to call twice."""
        if self._lines is not None:
            self._lines.close()
