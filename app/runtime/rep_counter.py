"""The live repetition count of a person's shown action, as the processor keeps it per person.

`model.pose.live_repetitions.LiveRepetitions` counts one segment; this decides which
labels are counted and keeps the counter right across a seek or a looped file. Idle,
unknown (the background class too), undecided and no person are not actions: for them
the counter is handed no label, so it resets and the next action starts again from 0.

An action's label is shown only once the classifier's window holds it and the smoother's
dwell is over, a second or two after its first movement: counted from there, the first
jumping jacks would be lost (10 of 12 on a real clip). So the frames of the last
`lead_s` seconds that were in no action (idle, unknown, undecided) are kept, and a new
action is counted from them on: its segment's count includes the repetitions that made
it recognisable. Frames of another action never lead in: a direct switch counts from
the switch.

The recount runs on the inference thread at most every `recount_s` (0.25 s) per person:
a few milliseconds of small matrix products. OpenBLAS would spread each of them over
threads, whose wake-ups cost more than the work on a busy machine (a recount took up
to 1.9 s with 2 cores loaded), so the `actionlens` command pins BLAS to one thread
(`app/__init__.py`).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from app.results import NO_PERSON, UNDECIDED, UNKNOWN
from model.pose.live_repetitions import LiveRepetitions

# Seconds of a segment recounted live; past it the older half is counted once and dropped
# (`LiveRepetitions`). A recount costs about a millisecond per repetition held (each stretch
# away from rest is recounted on its own): 30 s keeps it near 10 ms on a loaded 2-core machine
# (60 s: twice that). The price: a set longer than 30 s may come out one over (a drop can
# count the repetition at its cut twice; 20 s did so on 2 of 4 synthetic sets, 30 s on 1).
MAX_HELD_S = 30.0


def counted_label(label: str, idle_label: str = "", background_label: str = "") -> str | None:
    """`label` when its repetitions are counted, else None (idle, unknown, undecided, no person).

    Args:
        label: the label shown for a person (the smoother's).
        idle_label: the model's "nothing happening" class, or "".
        background_label: the model's class for motion that is none of its actions, or "".
    """
    if label in (UNDECIDED, UNKNOWN, NO_PERSON) or label in (idle_label, background_label):
        return None
    return label


# Seconds a count must hold before it is shown (it shows the lowest count of that stretch).
SETTLE_S = 0.5


class RepCounter:
    """One person's running count of the action shown for them.

    Args:
        idle_label: the model's idle class ("" if none): not counted.
        background_label: the model's background class ("" if none): not counted.
        lead_s: how far back a new action's count starts, seconds: the classifier's
            longest window plus the smoother's dwell, the delay of a label behind its movement.
    """

    def __init__(self, idle_label: str = "", background_label: str = "", lead_s: float = 0.0) -> None:
        self._skip = (idle_label, background_label)
        self.lead_s = lead_s
        self._reps = LiveRepetitions(max_s=MAX_HELD_S)
        self._last_t: float | None = None
        self._counted: str | None = None  # the counted label of the last frame
        self._lead: deque[tuple[float, np.ndarray | None]] = deque()  # recent frames in no action
        self._recent: deque[tuple[float, int]] = deque()  # (time, raw count) of the segment's last SETTLE_S

    def reset(self) -> None:
        """Forgets the segment (a seek, a new source, nobody in view): the count starts again."""
        self._reps.reset()
        self._last_t = None
        self._counted = None
        self._lead.clear()
        self._recent.clear()

    def update(self, features: np.ndarray | None, t: float, label: str) -> int:
        """Feeds one frame of this person.

        Args:
            features: (FEATURE_DIM,) their `pose_features` in this frame, or None when not seen.
            t: the frame's source time, seconds.
            label: the label shown for them in this frame.

        Returns:
            The repetitions of the current segment so far, shown once a count has held for
            `SETTLE_S`; 0 when `label` is not counted.
        """
        if self._last_t is not None and t < self._last_t:
            self.reset()  # time went back (a looped file): the counter's clock must not
        self._last_t = t
        counted = counted_label(label, *self._skip)
        if counted != self._counted:
            self._recent.clear()  # a new segment: its count has yet to settle
        if counted is not None and counted != self._counted:
            for lead_t, lead_features in self._lead:  # the movements that led to the label
                self._reps.update(lead_features, lead_t, counted)
        self._counted = counted
        if counted is None:
            self._lead.append((t, features))
            while self._lead and self._lead[0][0] < t - self.lead_s:
                self._lead.popleft()
        else:
            self._lead.clear()
        raw = self._reps.update(features, t, counted)
        return 0 if counted is None else self._settled(t, raw)

    def _settled(self, t: float, raw: int) -> int:
        # A recount over the first second of a segment (lead-in included) can come out one over
        # and then drop back: the demo's single raise read x2 for 0.13 s, then x1. A count is
        # shown once it has held for SETTLE_S, as a label waits out its dwell.
        self._recent.append((t, raw))
        if t - self._recent[0][0] < SETTLE_S:
            return 0
        while len(self._recent) > 1 and self._recent[1][0] <= t - SETTLE_S:
            self._recent.popleft()
        return min(c for _, c in self._recent)
