"""Per-frame model work, without threads: frame in, `Result` out.

For each frame: preprocess once, embed once (cached in the ring buffer), pick
a window at the model's fps from the buffer, run the temporal head, smooth,
and every few steps predict the next frame. The engine's inference thread
calls `process`; tests and `bench` call it directly.

A motion model's encoder takes each window frame with its change from the
window frame before it (`model.nets.layers.MotionPairs`). That predecessor depends
on how the window was sampled, so those embeddings are cached per (previous,
current) pair of ring entries: with a steady source that is one encoder call
per frame, and the window always equals what the full model would see.

A pose model runs BlazePose (`model.pose.tracker.PoseTracker`) once per frame,
turns the landmarks into features and those into an embedding, and keeps the
embedding in the ring. When fewer than half of a window's steps hold a person,
the label is `no person` and the classifier does not run. That one decision is also
what is drawn: a `no person` result carries no pose, so no view or event line shows
a skeleton or a box beside words that say nobody is there (a person flickering in and
out of the tracker, or only just walking in, is a pose in this frame but not yet in
the window).

With `max_people` above 1, a pose model follows everyone in view
(`app.runtime.people_step.PeopleStep`), each with their own window and label; the
result's own fields are the selected person's and `people` lists everyone. With 1,
the one-person path below runs unchanged. The several-people part of the processor
is the `FollowingPeople` mixin (app/runtime/processor_people.py).
"""

from __future__ import annotations

import threading
import time

import numpy as np

from app.frames import Frame
from app.results import NO_PERSON, UNDECIDED, Result
from app.runtime.embedding_ring import EmbeddingRing
from app.runtime.inference import CompiledModels
from app.runtime.people_step import PeopleStep
from app.runtime.preview import NextFramePreview
from app.runtime.processor_people import FollowingPeople
from app.runtime.rep_counter import RepCounter
from app.runtime.smoothing import LabelSmoother
from app.settings import EngineSettings
from model.preprocess import FramePreprocessor


class FrameProcessor(FollowingPeople):
    """Turns frames into results with one model.

    Args:
        models: the compiled models.
        settings: window, stride, predictor schedule and smoothing.
        device_label: shown in every result ("CPU" or the GPU's name).
        pose_tracker: a `model.pose.tracker.PoseTracker`; required by a pose model.
    """

    def __init__(self, models: CompiledModels, settings: EngineSettings, device_label: str = "CPU",
                 pose_tracker=None):
        self.models = models
        self.config = models.config
        self._preprocess = FramePreprocessor(self.config)  # stateful when the model crops to motion
        self.device_label = device_label
        self._lock = threading.Lock()
        self._settings = self._clamped(settings)
        idle = self.config.idle_label if self.config.idle_label in self.config.labels else ""
        self.smoother = LabelSmoother(self.config.labels, self._settings.smoothing, idle_label=idle,
                                      background_label=self.config.background_label,
                                      unknown_below=self.config.unknown_below)
        # Keep the longest allowed window plus one step, so a longer window can be chosen live.
        self.ring = EmbeddingRing(horizon_s=(self.config.max_frames + 1) / self.config.fps)
        self._steps = 0
        self._last_probs: np.ndarray | None = None
        self._preview = NextFramePreview(models, self.config.fps)
        self._pairs: dict[tuple[int, int], np.ndarray] = {}  # motion: (prev id, id) -> embedding
        if self.config.uses_pose and pose_tracker is None:
            raise ValueError("a pose model needs `pose_tracker` (model.pose.tracker.PoseTracker).")
        self.pose_tracker = pose_tracker if self.config.uses_pose else None
        self._present: dict[int, bool] = {}  # pose: ring id -> a person was in view
        # One person's repetitions, counted from the movements that led to their label.
        lead_s = self.config.max_frames / self.config.fps + self._settings.smoothing.min_dwell_s
        self._reps = RepCounter(idle, self.config.background_label, lead_s)
        self._people: PeopleStep | None = None
        self._sync_people()

    def _clamped(self, settings: EngineSettings) -> EngineSettings:
        return settings.replace(window=self.config.window_for(settings.window), stride=max(1, int(settings.stride)))

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    def update_settings(self, settings: EngineSettings) -> None:
        """Applies new settings from any thread; takes effect at the next frame."""
        with self._lock:
            self._settings = self._clamped(settings)
            self.smoother.set_settings(self._settings.smoothing)
            self._sync_people()

    def reset(self) -> None:
        """Forgets history (after a seek or a new source)."""
        with self._lock:
            self.ring.clear()
            self.smoother.reset()
            self._preprocess.reset()
            self._steps = 0
            self._last_probs = None
            self._preview.reset()
            self._pairs.clear()
            self._present.clear()
            self._reps.reset()
            if self.pose_tracker is not None:
                self.pose_tracker.reset()
            if self._people is not None:
                self._people.reset()

    def process(self, frame: Frame) -> Result | None:
        """Processes one frame.

        Args:
            frame: a decoded frame; any size, gray, BGR or BGRA.

        Returns:
            The `Result` for this frame, or None while the buffer still holds
            less than one window.
        """
        with self._lock:
            settings = self._settings
            t0 = time.perf_counter()
            x = self._preprocess(frame.image)
            self._preview.frame_arrived(frame.source_time)
            surprise = self._preview.surprise(frame.source_time, x)
            pose = people = emb = features = None  # features: (FEATURE_DIM,) of a pose found here
            if self._people is not None:
                people = self._people(frame.image, frame.source_time)
            elif self.pose_tracker is not None:
                from model.pose.features import pose_features

                pose = self.pose_tracker(frame.image)
                seen = pose_features(pose)
                emb = self.models.embed(seen)
                features = None if pose is None else seen
            else:
                per_frame = self.models.cached and not self.models.motion
                emb = self.models.embed(x) if per_frame else None
            self.ring.append(frame.source_time, emb, x)
            positions = self.ring.sample_indices(settings.window, self.config.fps,
                                                 max(1, settings.window - self.config.still_start))
            if self.pose_tracker is not None and people is None:
                self._present[self.ring.ids([len(self.ring) - 1])[0]] = pose is not None
            if positions is None:
                # Not judged yet, but the movement that will be judged may have begun: the
                # counter keeps it to lead in the first action.
                self._reps.update(features, frame.source_time, UNDECIDED)
                return None
            self._steps += 1
            if people is not None:
                return self._people_result(frame, t0, surprise, settings, positions, people)
            if self.pose_tracker is not None and self._nobody(positions):
                self._reps.update(features, frame.source_time, NO_PERSON)  # ends any count
                return self._no_person(frame, t0, surprise, settings, positions)
            if self._last_probs is None or self._steps % settings.stride == 0:
                if self.models.cached:
                    embeddings = (self._motion_embeddings(positions) if self.models.motion
                                  else self.ring.embeddings(positions))
                    raw = self.models.classify_embeddings(embeddings)
                else:
                    raw = self.models.classify_window(self.ring.frames(positions))
                self._last_probs = raw
            raw = self._last_probs
            predicted = self._maybe_predict(frame.source_time, positions, settings, t0)
            label, conf, smooth = self.smoother.update(raw, frame.source_time)
            # Counted after the label is decided: a new label starts its count again.
            count = self._reps.update(features, frame.source_time, label)
            done = time.monotonic()
            return Result(
                frame_index=frame.index,
                source_time=frame.source_time,
                label=label,
                confidence=float(conf),
                probs=smooth,
                raw_probs=raw,
                labels=self.config.labels,
                surprise=surprise,
                latency_ms=(done - frame.captured_at) * 1000.0,
                inference_ms=(time.perf_counter() - t0) * 1000.0,
                predicted_frame=predicted,
                device=self.device_label,
                pose=pose,
                pending=self.smoother.pending,
                background_label=self.config.background_label,
                count=count,
            )

    def _nobody(self, positions: list[int]) -> bool:
        ids = self.ring.ids(positions)
        oldest = self.ring.ids([0])[0]
        for key in [key for key in self._present if key < oldest]:
            del self._present[key]  # its entry left the ring
        seen = sum(self._present.get(i, False) for i in ids)
        return seen < 0.5 * len(ids)

    def _no_person(self, frame: Frame, t0: float, surprise, settings: EngineSettings,
                   positions: list[int], people: list | None = None) -> Result:
        # Nobody to judge: the smoother starts afresh, so a label from before never lingers.
        self.smoother.reset()
        self._last_probs = None
        zeros = np.zeros(self.config.num_classes, np.float32)
        return Result(
            frame_index=frame.index, source_time=frame.source_time, label=NO_PERSON, confidence=1.0,
            probs=zeros, raw_probs=zeros, labels=self.config.labels, surprise=surprise,
            latency_ms=(time.monotonic() - frame.captured_at) * 1000.0,
            inference_ms=(time.perf_counter() - t0) * 1000.0,
            predicted_frame=self._maybe_predict(frame.source_time, positions, settings, t0),
            # No pose: the words say nobody is in view, so neither the view nor the events
            # may show this frame's person (its box, its skeleton) as if someone were.
            device=self.device_label, pose=None, background_label=self.config.background_label,
            people=people,
        )

    def _motion_embeddings(self, positions: list[int]) -> np.ndarray:
        from model.preprocess import motion_pair

        ids = self.ring.ids(positions)
        keys = list(zip(ids[:-1], ids[1:], strict=True))
        missing = [k for k, key in enumerate(keys) if key not in self._pairs]
        if missing:
            frames = self.ring.frames(positions)
            pairs = np.stack([motion_pair(frames[k + 1], frames[k]) for k in missing])
            for k, emb in zip(missing, self.models.embed_batch(pairs), strict=True):
                self._pairs[keys[k]] = emb
        embeddings = np.stack([self._pairs[key] for key in keys])
        oldest = self.ring.ids([0])[0]
        for key in [key for key in self._pairs if key[0] < oldest]:
            del self._pairs[key]  # its entry left the ring: no window can use it again
        return embeddings

    def _maybe_predict(self, t: float, positions: list[int], settings: EngineSettings, t0: float):
        """The newest next-frame prediction (see `app.runtime.preview`); None without a predictor."""
        if self.models.predictor is None or settings.predictor_every <= 0:
            return None
        k = self.config.predictor_frames
        # Every result carries the newest prediction, so a view never has to remember one.
        return self._preview.update(t, lambda: self.ring.frames(positions[-k:]),
                                    self._steps % settings.predictor_every == 0, time.perf_counter() - t0)
