"""Everything the engine said since the source was opened, for export as events and segments.

Exports are written to a temporary file and renamed into place, so a crash mid-export
leaves the old file or the new one, never half of one; `read_events` reads them back.
"""

from __future__ import annotations

import copy
import json
import os
from collections import deque
from pathlib import Path

from app.outputs.event_log import Segment, SegmentTracker, write_segments
from app.outputs.files import atomic_write, check_output_path
from app.results import Result

# One hour at 30 fps; older lines are dropped first (each line is ~200 bytes).
MAX_EVENTS = 108_000


class SessionLog:
    """Keeps one JSON line per result and folds labels into stable segments."""

    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self._events: deque[dict] = deque(maxlen=max_events)
        self._tracker = SegmentTracker()

    def reset(self) -> None:
        """Forgets everything (a new source)."""
        self._events.clear()
        self._tracker = SegmentTracker()

    def add(self, results: list[Result]) -> None:
        """Records results in arrival order."""
        for r in results:
            self._events.append(r.to_json())
            self._tracker.update(r.source_time, r.label, r.confidence, r.count)

    @property
    def event_count(self) -> int:
        """Events kept for export."""
        return len(self._events)

    def segments(self) -> list[Segment]:
        """Stable segments so far, the open one included (the live tracker stays open)."""
        return copy.deepcopy(self._tracker).finish()

    def export_events(self, path: str | os.PathLike) -> Path:
        """Writes the events as JSON lines (keys as in `Result.to_json`).

        Raises:
            OutputError: the file cannot be written.
        """
        path = check_output_path(path, "events file")
        with atomic_write(path, "events file") as f:
            for event in list(self._events):
                f.write(json.dumps(event, ensure_ascii=False) + "\n")
        return path

    def export_segments(self, path: str | os.PathLike) -> Path:
        """Writes the segments as .csv or .json (by extension).

        Raises:
            OutputError: unknown extension, or the file cannot be written.
        """
        return write_segments(path, self.segments())
