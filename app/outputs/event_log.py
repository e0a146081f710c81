"""What a run leaves behind as data: a per-frame events file and stable segments.

`EventLog` writes one JSON line per processed frame, each line whole and at once
(app/outputs/lines.py), so a crash loses at most the frame being written and never
leaves half a line; `read_events` reads such a file back. `SegmentTracker` folds the
per-frame labels into segments (start, end, label), and `write_segments` saves them
as CSV or JSON atomically (app/outputs/segment_file.py writes them as they close).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from app.outputs.files import OutputError, atomic_write, check_output_path
from app.outputs.lines import LineWriter, read_lines
from app.results import UNDECIDED, UNKNOWN, Result

SEGMENT_FIELDS = ("start", "end", "label", "mean_confidence", "frames", "person", "count")
SEGMENT_FORMATS = (".csv", ".json")


class EventLog:
    """JSON-lines events file: one `Result.to_json()` object per processed frame.

    A write error (a full disk, a removed drive) stops the log instead of raising:
    `write` returns False and `error` says why in one line, so whoever classifies
    keeps going; the lines already written stay whole.

    Args:
        path: the file to write (replaced if it exists).
        landmarks: pose models: each line also carries the 33 landmarks.

    Attributes:
        path: the file.
        error: why the log stopped early, or None.

    Raises:
        OutputError: the file cannot be created.
    """

    def __init__(self, path: str | os.PathLike, landmarks: bool = False) -> None:
        self._lines = LineWriter(path, "events file")
        self._landmarks = landmarks
        self.path = self._lines.path

    @property
    def lines_written(self) -> int:
        """Lines in the file."""
        return self._lines.lines_written

    @property
    def error(self) -> str | None:
        return self._lines.error

    @property
    def closed(self) -> bool:
        """Whether the file is closed (by `close`, or by a write error)."""
        return self._lines.closed

    def write(self, result: Result) -> bool:
        """Appends one line for `result` (keys as in `Result.to_json`).

        Returns:
            True when written; False once the log has stopped (see `error`).

        Raises:
            OutputError: the log was closed.
        """
        return self._lines.write_line(json.dumps(result.to_json(self._landmarks), ensure_ascii=False))

    def close(self) -> None:
        """Stores and closes the file; safe to call twice."""
        self._lines.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_events(path: str | os.PathLike) -> list[dict]:
    """Reads an events file written by `EventLog` (or `SessionLog.export_events`).

    A torn last line, from a crash while an older version wrote it or a power cut,
    is skipped with a `TornLineWarning`.

    Raises:
        ValueError: a line other than the last is not JSON (the file is damaged);
            the message names the file and the line.
    """
    events = []
    for number, line in enumerate(read_lines(path), 1):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: line {number} is not JSON ({e.msg}); the file is damaged.") from e
    return events


@dataclass(frozen=True)
class Segment:
    """A run of consecutive frames with the same label.

    Attributes:
        start: source time of the segment's first frame, seconds.
        end: source time where the next segment starts (or the run ends), seconds.
        label: the label; "uncertain" marks a stretch where no class was confident.
        mean_confidence: mean per-frame confidence over the segment.
        frames: number of processed frames in the segment.
        person: whose segment it is when several people are followed (their id), else None.
        count: the segment's repetitions (the live count at its last frame); 0 for no action.
    """

    start: float
    end: float
    label: str
    mean_confidence: float
    frames: int
    person: int | None = None
    count: int = 0

    @property
    def uncertain(self) -> bool:
        """Whether this is an "uncertain" stretch rather than an action."""
        return self.label == UNKNOWN


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
        self._open: tuple[float, str, float, int, int] | None = None  # start, label, conf sum, frames, count
        self._last_time: float | None = None

    @property
    def segments(self) -> list[Segment]:
        """Closed segments so far (after `finish`, all of them), in time order."""
        return [s for s in self._closed if self.include_uncertain or not s.uncertain]

    def update(self, source_time: float, label: str, confidence: float, count: int = 0) -> Segment | None:
        """Feeds one processed frame; returns the segment it closed, if any.

        A frame with no label yet (`UNDECIDED`, after a start or a reset) is in no segment.
        `count` is the frame's running repetition count (`Result.count`): a segment's total is
        the count of its last frame, read before the next label starts its count again.
        """
        t = float(source_time)
        closed = None
        if label == UNDECIDED:
            if self._open is not None:
                closed = self._close(max(t, self._last_time))  # a seek back closes it where it was
            self._last_time = t
            return closed
        if self._open is not None:
            start, open_label, conf_sum, frames, _ = self._open
            if t < self._last_time:
                closed = self._close(self._last_time)
            elif label == open_label:
                self._open = (start, label, conf_sum + float(confidence), frames + 1, int(count))
                self._last_time = t
                return None
            else:
                closed = self._close(t)
        self._open = (t, label, float(confidence), 1, int(count))
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
        start, label, conf_sum, frames, count = self._open
        segment = Segment(start, end, label, conf_sum / frames, frames, count=count)
        self._closed.append(segment)
        self._open = None
        return segment


def write_segments(path: str | os.PathLike, segments: Iterable[Segment]) -> Path:
    """Saves segments as .csv or .json (by extension), atomically.

    Args:
        path: destination; ".csv" gets a header row `start,end,label,mean_confidence,frames,person,count`,
            ".json" a list of objects with those keys: `person` is whose segment, when
            several people are followed (empty or null otherwise), `count` its repetitions.
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
    rows = [segment_row(s) for s in segments]
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
    """Reads a file written by `write_segments` or `SegmentFile` back into segments.

    A CSV's torn last line is skipped with a `TornLineWarning` (see `read_lines`).
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(read_lines(path)))
    else:
        with open(path, encoding="utf-8") as f:
            rows = json.load(f)
    return [
        Segment(float(r["start"]), float(r["end"]), str(r["label"]),
                float(r["mean_confidence"]), int(r["frames"]),
                None if r.get("person") in (None, "") else int(r["person"]),
                int(r.get("count") or 0))  # files from before counting have no count
        for r in rows
    ]


def segment_row(segment: Segment) -> dict:
    """A segment as a file row: `SEGMENT_FIELDS`, times and confidence to 4 decimals."""
    row = asdict(segment)
    for key in ("start", "end", "mean_confidence"):
        row[key] = round(float(row[key]), 4)
    return row
