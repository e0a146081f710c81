"""What a run leaves behind as data: a per-frame events file and stable segments.

`EventLog` writes one JSON line per processed frame and flushes often, so a crash
loses at most a moment. `SegmentTracker` folds the per-frame labels into segments
(start, end, label), and `write_segments` saves them as CSV or JSON atomically.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from app.outputs.files import OutputError, atomic_write, check_output_path
from app.results import UNCERTAIN, Result

SEGMENT_FIELDS = ("start", "end", "label", "mean_confidence", "frames")
SEGMENT_FORMATS = (".csv", ".json")


class EventLog:
    """JSON-lines events file: one `Result.to_json()` object per processed frame.

    Args:
        path: the file to write (replaced if it exists).
        flush_every: flush after this many lines (1 = every line), and always on close.
    """

    def __init__(self, path: str | os.PathLike, flush_every: int = 1) -> None:
        if flush_every < 1:
            raise ValueError(f"`flush_every` must be >= 1. Received: flush_every={flush_every}")
        self.path = check_output_path(path, "events file")
        self._flush_every = flush_every
        self.lines_written = 0
        try:
            self._file: IO[str] | None = open(self.path, "w", encoding="utf-8")
        except OSError as e:
            raise OutputError(f"Cannot write events file {self.path}: {e.strerror or e}.") from e

    def write(self, result: Result) -> None:
        """Appends one line for `result` (keys as in `Result.to_json`)."""
        if self._file is None:
            raise OutputError(f"Cannot write events file {self.path}: it is already closed.")
        try:
            self._file.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            self.lines_written += 1
            if self.lines_written % self._flush_every == 0:
                self._file.flush()
        except OSError as e:
            raise OutputError(f"Writing events file {self.path} failed: {e.strerror or e}.") from e

    def close(self) -> None:
        """Flushes and closes the file; safe to call twice."""
        if self._file is not None:
            file, self._file = self._file, None
            file.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Segment:
    """A run of consecutive frames with the same label.

    Attributes:
        start: source time of the segment's first frame, seconds.
        end: source time where the next segment starts (or the run ends), seconds.
        label: the label; "uncertain" marks a stretch where no class was confident.
        mean_confidence: mean per-frame confidence over the segment.
        frames: number of processed frames in the segment.
    """

    start: float
    end: float
    label: str
    mean_confidence: float
    frames: int

    @property
    def uncertain(self) -> bool:
        """Whether this is an "uncertain" stretch rather than an action."""
        return self.label == UNCERTAIN


class SegmentTracker:
    """Folds per-frame labels into stable segments.

    Times must not decrease; a time that does (a seek) closes the open segment at
    the last time seen and starts a new one.

    Args:
        include_uncertain: keep "uncertain" segments in `segments` (their label
            marks them); False drops them, leaving gaps between actions.
    """

    def __init__(self, include_uncertain: bool = True) -> None:
        self.include_uncertain = include_uncertain
        self._closed: list[Segment] = []
        self._open: tuple[float, str, float, int] | None = None  # start, label, conf sum, frames
        self._last_time: float | None = None

    @property
    def segments(self) -> list[Segment]:
        """Closed segments so far (after `finish`, all of them), in time order."""
        return [s for s in self._closed if self.include_uncertain or not s.uncertain]

    def update(self, source_time: float, label: str, confidence: float) -> Segment | None:
        """Feeds one processed frame; returns the segment it closed, if any."""
        t = float(source_time)
        closed = None
        if self._open is not None:
            start, open_label, conf_sum, frames = self._open
            if t < self._last_time:
                closed = self._close(self._last_time)
            elif label == open_label:
                self._open = (start, label, conf_sum + float(confidence), frames + 1)
                self._last_time = t
                return None
            else:
                closed = self._close(t)
        self._open = (t, label, float(confidence), 1)
        self._last_time = t
        return closed

    def finish(self, end_time: float | None = None) -> list[Segment]:
        """Closes the open segment at `end_time` (default: the last frame's time).

        Returns:
            `segments`.
        """
        if self._open is not None:
            end = self._last_time if end_time is None else max(float(end_time), self._open[0])
            self._close(end)
        return self.segments

    def _close(self, end: float) -> Segment:
        start, label, conf_sum, frames = self._open
        segment = Segment(start, end, label, conf_sum / frames, frames)
        self._closed.append(segment)
        self._open = None
        return segment


def write_segments(path: str | os.PathLike, segments: Iterable[Segment]) -> Path:
    """Saves segments as .csv or .json (by extension), atomically.

    Args:
        path: destination; ".csv" gets a header row `start,end,label,mean_confidence,frames`,
            ".json" a list of objects with those keys.
        segments: the segments, e.g. `SegmentTracker.finish()`.

    Returns:
        `path` as a `Path`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SEGMENT_FORMATS:
        raise OutputError(
            f"Cannot write segments file {path}: unknown extension {path.suffix!r}; "
            "use .csv or .json."
        )
    check_output_path(path, "segments file")
    rows = [_row(s) for s in segments]
    with atomic_write(path, "segments file", newline="") as f:
        if suffix == ".csv":
            writer = csv.DictWriter(f, fieldnames=SEGMENT_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        else:
            json.dump(rows, f, indent=1, ensure_ascii=False)
            f.write("\n")
    return path


def read_segments(path: str | os.PathLike) -> list[Segment]:
    """Reads a file written by `write_segments` back into segments."""
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f)) if path.suffix.lower() == ".csv" else json.load(f)
    return [
        Segment(float(r["start"]), float(r["end"]), str(r["label"]),
                float(r["mean_confidence"]), int(r["frames"]))
        for r in rows
    ]


def _row(segment: Segment) -> dict:
    row = asdict(segment)
    for key in ("start", "end", "mean_confidence"):
        row[key] = round(float(row[key]), 4)
    return row
