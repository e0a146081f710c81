"""One frame's work for everyone in view: poses, ids, each person's window, one head call.

The frame's poses come from `model.pose.multi_tracker.MultiPoseTracker`, their
ids from `app.runtime.people.PeopleTracker`; each id has a `PersonState`. The
windows of every person whose head is due go to the head together
(`classify_embeddings_batch`). A person is listed once their track is confirmed
(`MIN_HITS` frames) and while they are in this frame and their window does not
say `no person` (a new person's window starts without them: `PersonState`).

One person is *selected*: the one the user picked, while they stay in view;
otherwise the one selected before; otherwise the largest in view. The view's
bars, timeline and Collect panel, and the event line's own fields, follow them.
"""

from __future__ import annotations

import numpy as np

from app.results import NO_PERSON, PersonResult
from app.runtime.people import PeopleTracker
from app.runtime.person_state import PersonState
from app.settings import EngineSettings


class PeopleStep:
    """Turns frames into `PersonResult`s for up to `tracker.max_people` people.

    Args:
        models: `CompiledModels` or `LiteModels` of a pose bundle.
        tracker: a `model.pose.multi_tracker.MultiPoseTracker`.
        settings: the engine's settings (window, stride, smoothing).
    """

    def __init__(self, models, tracker, settings: EngineSettings):
        self.models = models
        self.config = models.config
        self.tracker = tracker
        self.people = PeopleTracker()
        self.states: dict[int, PersonState] = {}
        self._settings = settings
        self.selected: int | None = None
        self._wanted: int | None = None
        self._nobody: np.ndarray | None = None

    def reset(self) -> None:
        """Forgets everyone (a seek, a new source)."""
        self.tracker.reset()
        self.people.reset()
        self.states.clear()
        self.selected = None
        self._wanted = None

    def set_settings(self, settings: EngineSettings) -> None:
        """New window, stride or smoothing; each person's smoother takes the smoothing at once."""
        self._settings = settings
        for state in self.states.values():
            state.smoother.set_settings(settings.smoothing)

    def select(self, person_id: int | None) -> None:
        """Follows `person_id` while they are in view (None: back to the largest)."""
        self._wanted = person_id

    def __call__(self, image: np.ndarray, t: float) -> list[PersonResult]:
        """Processes one frame.

        Args:
            image: the frame as decoded (BGR, BGRA or gray).
            t: its source time, seconds.

        Returns:
            Everyone listed in this frame, in id order.
        """
        from model.pose.features import pose_features

        settings = self._settings
        tracked = self.people.update(self.tracker(image), t)
        for gone in set(self.states) - set(tracked):
            del self.states[gone]
        due: list[tuple[int, list[int]]] = []
        judged: dict[int, list[int]] = {}
        features: dict[int, np.ndarray] = {}
        for pid, pose in tracked.items():
            if pid not in self.states:
                self.states[pid] = PersonState(self.config, settings.smoothing, t, self._nobody_embedding())
            state = self.states[pid]
            features[pid] = pose_features(pose)
            state.append(t, self.models.embed(features[pid]), pose is not None)
            positions = state.window(settings.window)
            if positions is None or state.nobody(positions):
                # Not judged: any count ends, but their movement may lead in their first action.
                state.reps.update(None if pose is None else features[pid], t, NO_PERSON)
                if positions is not None:
                    state.forget_label()
                continue
            judged[pid] = positions
            if state.head_due(settings.stride):
                due.append((pid, positions))
        if due:
            windows = np.stack([self.states[pid].ring.embeddings(pos) for pid, pos in due])
            for (pid, _), probs in zip(due, self.models.classify_embeddings_batch(windows), strict=True):
                self.states[pid].last_probs = probs
        confirmed = {track.id for track in self.people.tracks if track.confirmed}
        out = []
        for pid, pose in tracked.items():
            if pose is None or pid not in confirmed:
                continue
            state = self.states[pid]
            if pid not in judged:
                continue  # their window says nobody: not drawn, as `no person` is not
            label, conf, smooth = state.smoother.update(state.last_probs, t)
            raw = state.last_probs
            count = state.reps.update(features[pid], t, label)  # after their label is decided
            out.append(PersonResult(pid, label, float(conf), smooth, raw, pose, state.smoother.pending, count))
        self.selected = self._choose(out)
        return out

    def _nobody_embedding(self) -> np.ndarray:
        from model.pose.features import pose_features

        if self._nobody is None:
            self._nobody = self.models.embed(pose_features(None))
        return self._nobody

    def _choose(self, people: list[PersonResult]) -> int | None:
        ids = {p.id for p in people}
        if self._wanted in ids:
            return self._wanted
        if self.selected in ids:
            return self.selected
        if not people:
            return None

        def area(p: PersonResult) -> float:
            x0, y0, x1, y1 = p.box
            return (x1 - x0) * (y1 - y0)

        return max(people, key=area).id
