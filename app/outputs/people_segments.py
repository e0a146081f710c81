"""Each person's own segments, when several people are followed (`run --segments`).

A `SegmentTracker` per person id folds that person's labels into segments; a
person out of view for a frame closes their open segment there, as a gap does.
Closed segments are kept in one list in the order they closed, each with its
`person`, so a `SegmentFile` can append them as they come.
"""

from __future__ import annotations

import dataclasses

from app.outputs.event_log import Segment, SegmentTracker
from app.results import UNDECIDED, Result


class PeopleSegments:
    """Segments of everyone in view, by person."""

    def __init__(self) -> None:
        self._trackers: dict[int, SegmentTracker] = {}
        self._taken: dict[int, int] = {}  # id -> that tracker's segments already in `segments`
        self.segments: list[Segment] = []

    @property
    def started(self) -> bool:
        """True once a result with people has been fed (several-people mode)."""
        return bool(self._trackers)

    def update(self, result: Result) -> bool:
        """Feeds one result's people; True when a segment closed.

        Args:
            result: a result with `people` (several-people mode).
        """
        seen = set()
        for person in result.people or []:
            seen.add(person.id)
            tracker = self._trackers.setdefault(person.id, SegmentTracker())
            tracker.update(result.source_time, person.label, person.confidence, person.count)
        for pid, tracker in self._trackers.items():
            if pid not in seen:
                tracker.update(result.source_time, UNDECIDED, 0.0)  # out of view: their segment ends
        return self._collect()

    def finish(self, end_time: float | None) -> list[Segment]:
        """Closes every open segment at `end_time`; returns `segments`."""
        for tracker in self._trackers.values():
            tracker.finish(end_time)
        self._collect()
        return self.segments

    def _collect(self) -> bool:
        before = len(self.segments)
        for pid, tracker in self._trackers.items():
            closed = tracker.segments
            for segment in closed[self._taken.get(pid, 0):]:
                self.segments.append(dataclasses.replace(segment, person=pid))
            self._taken[pid] = len(closed)
        return len(self.segments) > before
