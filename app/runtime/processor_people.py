"""The processor's several-people part: following everyone in view, and whom its result is about.

A mixin of `FrameProcessor`, kept in its own file for size, as `ModelLoading` is of the
engine: it runs under the processor's `_lock` and uses the state `FrameProcessor.__init__`
sets (`_settings`, `_people`, `models`, `pose_tracker`, `config`) and its helpers
(`_no_person`, `_maybe_predict`); see app/runtime/processor.py.

With `max_people` above 1 the frame's people come from `app.runtime.people_step.PeopleStep`;
the result's own fields are the selected person's and `people` lists everyone.
"""

from __future__ import annotations

import time

from app.frames import Frame
from app.results import Result
from app.runtime.people_step import PeopleStep
from app.settings import EngineSettings


class FollowingPeople:
    """Several people for `FrameProcessor`; see the module docstring."""

    def _sync_people(self) -> None:
        # Several people need the tracker's own detector and landmark model; a replay of cached
        # poses (app.runtime.replay) has neither and stays with one person.
        wanted = self._settings.max_people if hasattr(self.pose_tracker, "detector") else 1
        if wanted <= 1:
            self._people = None
        elif self._people is None or self._people.tracker.max_people != wanted:
            from model.pose.multi_tracker import MultiPoseTracker

            tracker = MultiPoseTracker(self.pose_tracker.detector, self.pose_tracker.landmarks, wanted)
            self._people = PeopleStep(self.models, tracker, self._settings)
        else:
            self._people.set_settings(self._settings)

    def select_person(self, person_id: int | None) -> None:
        """Follows `person_id` with the result's own fields while they are in view (None: the largest)."""
        with self._lock:
            if self._people is not None:
                self._people.select(person_id)

    def tracking_counts(self) -> dict | None:
        """Several people: {"ids": ids given since the source opened, "id_switches": new ids born
        where a track had just ended (`app.runtime.people.PeopleTracker`)}; None with one person."""
        # No lock: the GUI's status line reads this while a frame is processed, and two ints
        # read a frame late are fine; it must never wait for the inference thread.
        people = self._people
        if people is None:
            return None
        return {"ids": people.people.ids_issued, "id_switches": people.people.id_switches}

    def _people_result(self, frame: Frame, t0: float, surprise, settings: EngineSettings,
                       positions: list[int], people: list) -> Result:
        chosen = next((p for p in people if p.id == self._people.selected), None)
        if chosen is None:
            return self._no_person(frame, t0, surprise, settings, positions, people=people)
        return Result(
            frame_index=frame.index, source_time=frame.source_time, label=chosen.label,
            confidence=chosen.confidence, probs=chosen.probs, raw_probs=chosen.raw_probs,
            labels=self.config.labels, surprise=surprise,
            latency_ms=(time.monotonic() - frame.captured_at) * 1000.0,
            inference_ms=(time.perf_counter() - t0) * 1000.0,
            predicted_frame=self._maybe_predict(frame.source_time, positions, settings, t0),
            device=self.device_label, pose=chosen.pose, pending=chosen.pending,
            background_label=self.config.background_label, people=people, person_id=chosen.id,
            count=chosen.count,
        )
