"""The one description of a model: what it eats, how it was built, what it names.

A `ModelConfig` is saved as `config.json` beside every model, so the app can
check live input against what the model was trained on (frame size, channel
count, frames per window and the fps those frames were sampled at).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

ARCHITECTURES = ("cnn_lstm", "convlstm", "renet")
COLOR_MODES = {"gray": 1, "rgb": 3}
CROP_MODES = ("", "motion")
MOTION_INPUTS = ("pair", "flow")
# What the per-frame encoder sees: preprocessed pixels, or BlazePose landmark features.
FEATURES = ("pixels", "pose")
# Width of one frame's pose features (model/pose/features.py); checked there against its own count.
POSE_FEATURE_DIM = 57
# The layout of those features (model/pose/features.py `FEATURE_VERSION`).
POSE_FEATURE_VERSION = 2


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild, feed and check a model.

    Attributes:
        labels: class names, in the order of the classifier's outputs.
        frames: frames per window (T); the default window length.
        min_frames: the shortest window the app may use with this model.
        max_frames: the longest window the app may use with this model.
        size: frames are resized to (size, size).
        color: "gray" (c=1) or "rgb" (c=3); the channel order after preprocessing.
        fps: the frame rate windows are sampled at, in training and live.
        arch: one of `ARCHITECTURES`.
        embed_dim: width of the per-frame embedding (cnn_lstm, renet).
        lstm_units: width of the temporal LSTM.
        dropout: dropout before the softmax.
        frame_wise: one prediction per frame (return_sequences) instead of one per window.
        fast_frames: 0 for one rate. Otherwise the head sees a window at two rates: its last
            `fast_frames` steps at `fps`, and the whole window at half of it (every other
            step, ending with the newest), each through its own LSTM. A wave's arcs and one
            raise look alike for 1.6 s; the slow half is meant to tell them apart over the
            whole window (measured, and not in the shipped model: see its card).
        short_head_frames: 0 for one temporal head. Otherwise a second head, trained apart
            on whole windows of `short_head_frames` steps at one rate, reads the newest
            steps of the same cached embeddings, and the app shows the mean of both heads'
            probabilities: a short head is calm on motion that is none of the actions, a
            long one tells one raise from a wave's arcs (measured: see the shipped card).
        needs_legs: labels a window can be only if it shows the legs on some step (a
            jumping jack is the legs jumping, by the definitions): the head moves their
            probability to the other classes on a window whose legs are never seen. Pose
            models with one prediction per window only.
        needs_repeats: labels that are repeated sweeps of the arms (a two-hand wave swings
            several times, by the definitions): the head moves their probability to the other
            classes on a window that begins with the arms low and shows them turning back at
            most once, which is one sweep, a side arm raise (`model.nets.repeats.RepeatsGate`).
            Pose models with one prediction per window only.
        decide_from: steps the buffer must hold before the first decision, fewer than
            `frames`: the window's missing older steps are the first step held (a still
            start, as a person stands before they act), in training and live. 0: `frames`.
        predictor_frames: frames the next-frame predictor looks at.
        predictor_filters: ConvLSTM2D filters in the predictor.
        symmetric_labels: labels whose mirror image is the same action (safe to flip).
        idle_label: the label for "nothing is happening", or "" for none.
        background_label: the class trained on motion that is none of the actions
            (shown as "unknown"), or "" for none.
        unknown_below: the smoothed probability an action needs before it is shown;
            below it the app says "unknown". Set on held-out sources at training time.
        crop: "motion" follows the moving region with a square crop before resizing
            (a far, small person and a near, large one then look alike), "" for the
            whole frame.
        motion: give the per-frame encoder each frame together with its change
            from the previous window frame, (h, w, 2c). A window of T frames then
            yields T - 1 embeddings. Motion is what tells actions apart across
            people and rooms; appearance alone overfits to who is in the clip.
        motion_input: what the encoder makes of a motion pair first. "pair" looks at
            the frame and its change as they are; "flow" turns them into normal flow
            (`model.nets.layers.NormalFlow`): how the picture moved, with the room's
            look, its lighting and its contrast taken out.
    """

    labels: tuple[str, ...] = ("idle", "wave")
    # 16 frames at 10 fps is 1.6 s: one full cycle of the slowest action in the data.
    frames: int = 16
    min_frames: int = 4
    max_frames: int = 32
    # 64 px is where the Weizmann clips were recorded; larger costs CPU and adds nothing there.
    size: int = 64
    color: str = "gray"
    # 10 fps divides both 25 and 30 fps cameras well and keeps 1.6 s in 16 steps.
    fps: float = 10.0
    arch: str = "cnn_lstm"
    embed_dim: int = 64
    lstm_units: int = 64
    dropout: float = 0.3
    frame_wise: bool = False
    # 0 keeps bundles made before two rates existed running as they were trained.
    fast_frames: int = 0
    # 0 keeps bundles made before it deciding on full windows, as they were trained.
    decide_from: int = 0
    # 0 keeps bundles made before two heads existed running as they were trained.
    short_head_frames: int = 0
    # () keeps bundles made before it running as they were trained.
    needs_legs: tuple[str, ...] = ()
    # () keeps bundles made before it running as they were trained.
    needs_repeats: tuple[str, ...] = ()
    predictor_frames: int = 4
    predictor_filters: int = 24
    symmetric_labels: tuple[str, ...] = ()
    idle_label: str = "idle"
    background_label: str = ""
    # 0.6 is the smoother's default enter threshold; training replaces it with a calibrated value.
    unknown_below: float = 0.6
    crop: str = ""
    preprocessing: str = "resize_area+scale01"
    motion: bool = False
    # "pair" keeps bundles made before "flow" existed loading as they were trained.
    motion_input: str = "pair"
    # "pixels" keeps bundles made before pose existed loading as they were trained.
    features: str = "pixels"
    # The pose feature layout trained on; a saved config without it is version 1 (`from_dict`).
    pose_version: int = POSE_FEATURE_VERSION
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in ("labels", "symmetric_labels", "needs_legs", "needs_repeats"):
            value = getattr(self, key)
            if isinstance(value, str):
                raise ValueError(
                    f"`{key}` must be a sequence of names, not one string. "
                    f"Received: {key}={value!r}; did you mean ({value!r},)?"
                )
            # Frozen dataclass: lists become tuples so configs compare and hash alike.
            object.__setattr__(self, key, tuple(value))
        if self.arch not in ARCHITECTURES:
            raise ValueError(
                f"`arch` must be one of {', '.join(ARCHITECTURES)}. Received: arch={self.arch!r}"
            )
        if self.color not in COLOR_MODES:
            raise ValueError(
                f"`color` must be one of {sorted(COLOR_MODES)}. Received: color={self.color!r}"
            )
        if len(self.labels) < 2:
            raise ValueError(
                "`labels` must name at least 2 classes; a classifier of one class "
                f"always answers the same. Received: labels={list(self.labels)}"
            )
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"`labels` must be unique. Received: labels={list(self.labels)}")
        if not ((2 if self.motion else 1) <= self.min_frames <= self.frames <= self.max_frames):
            raise ValueError(
                "Expected 1 <= `min_frames` <= `frames` <= `max_frames`. Received: "
                f"min_frames={self.min_frames}, frames={self.frames}, max_frames={self.max_frames}"
            )
        if self.decide_from and not self.min_frames <= self.decide_from <= self.frames:
            raise ValueError(
                "Expected `decide_from` to be 0 (full windows) or within min_frames..frames. "
                f"Received: decide_from={self.decide_from}, min_frames={self.min_frames}, frames={self.frames}"
            )
        if self.fast_frames and not (self.uses_pose and not self.frame_wise
                                     and 2 <= self.fast_frames < self.frames):
            raise ValueError(
                "`fast_frames` (two rates) needs pose features, one prediction per window and "
                "2 <= fast_frames < frames. Received: "
                f"fast_frames={self.fast_frames}, frames={self.frames}, features={self.features!r}, "
                f"frame_wise={self.frame_wise}")
        if self.short_head_frames and not (self.uses_pose and not self.frame_wise
                                           and 2 <= self.short_head_frames <= self.frames):
            raise ValueError(
                "`short_head_frames` (a second, shorter head) needs pose features, one prediction "
                "per window and 2 <= short_head_frames <= frames. Received: "
                f"short_head_frames={self.short_head_frames}, frames={self.frames}, "
                f"features={self.features!r}, frame_wise={self.frame_wise}")
        for key in ("needs_legs", "needs_repeats"):
            gated = getattr(self, key)
            if gated and (not self.uses_pose or self.frame_wise or not set(gated) <= set(self.labels)):
                raise ValueError(
                    f"`{key}` must name labels of the model, and needs pose features and one "
                    f"prediction per window. Received: {key}={list(gated)}, "
                    f"labels={list(self.labels)}, features={self.features!r}, frame_wise={self.frame_wise}")
        if self.crop not in CROP_MODES:
            raise ValueError(f"`crop` must be one of {CROP_MODES}. Received: crop={self.crop!r}")
        if self.motion_input not in MOTION_INPUTS:
            raise ValueError(
                f"`motion_input` must be one of {MOTION_INPUTS}. Received: motion_input={self.motion_input!r}"
            )
        if self.motion_input == "flow" and (self.arch != "cnn_lstm" or not self.motion):
            raise ValueError(
                "`motion_input`='flow' needs `arch`='cnn_lstm' with `motion` on: only its per-frame "
                f"encoder turns motion pairs into flow. Received: arch={self.arch!r}, motion={self.motion}"
            )
        if self.features not in FEATURES:
            raise ValueError(f"`features` must be one of {FEATURES}. Received: features={self.features!r}")
        if self.features == "pose" and (self.arch != "cnn_lstm" or self.motion or self.crop):
            raise ValueError(
                "`features`='pose' needs `arch`='cnn_lstm' without `motion` or `crop`: landmarks are "
                f"already the person, wherever they are. Received: arch={self.arch!r}, motion={self.motion}, "
                f"crop={self.crop!r}")
        if self.background_label and self.background_label not in self.labels:
            raise ValueError(
                f"`background_label` must be one of `labels` or empty. Received: "
                f"background_label={self.background_label!r}, labels={list(self.labels)}"
            )
        if not 0.0 <= self.unknown_below <= 1.0:
            raise ValueError(f"`unknown_below` must be in [0, 1]. Received: unknown_below={self.unknown_below}")
        if self.size < 8 or self.fps <= 0:
            raise ValueError(
                f"`size` must be >= 8 and `fps` > 0. Received: size={self.size}, fps={self.fps}"
            )

    @property
    def channels(self) -> int:
        """Channels per frame after preprocessing (1 for gray, 3 for rgb)."""
        return COLOR_MODES[self.color]

    def long_head_config(self) -> ModelConfig:
        """The config of the long head alone (this config without its short head)."""
        return self.replace(short_head_frames=0, needs_legs=(), needs_repeats=())

    def short_head_config(self) -> ModelConfig:
        """The config of the short head alone: whole windows of `short_head_frames` steps at one rate."""
        short = self.short_head_frames or self.frames
        return self.replace(frames=short, min_frames=min(self.min_frames, short), decide_from=0,
                            fast_frames=0, short_head_frames=0, needs_legs=(), needs_repeats=())

    @property
    def first_window(self) -> int:
        """Steps held before the first decision (`decide_from`, or `frames`)."""
        return self.decide_from or self.frames

    @property
    def still_start(self) -> int:
        """Steps of a still start in the first window: `frames` - `first_window`."""
        return self.frames - self.first_window

    def window_for(self, requested: int | None) -> int:
        """The window length (steps) used for a requested one: the model's own for None,
        else `requested` kept within min_frames..max_frames."""
        window = requested or self.frames
        return int(min(max(window, self.min_frames), self.max_frames))

    @property
    def frame_shape(self) -> tuple[int, int, int]:
        """One preprocessed frame: (h, w, c)."""
        return (self.size, self.size, self.channels)

    @property
    def encoder_frame_shape(self) -> tuple[int, ...]:
        """What the per-frame encoder takes: (h, w, c), (h, w, 2c) with `motion`, (POSE_FEATURE_DIM,) with pose."""
        if self.features == "pose":
            return (POSE_FEATURE_DIM,)
        return (self.size, self.size, self.channels * (2 if self.motion else 1))

    @property
    def classifier_frame_shape(self) -> tuple[int, ...]:
        """One time step of the classifier's input: the frame (h, w, c), or (POSE_FEATURE_DIM,) with pose."""
        return (POSE_FEATURE_DIM,) if self.features == "pose" else self.frame_shape

    @property
    def uses_pose(self) -> bool:
        """True when the classifier runs on BlazePose landmarks (`features` == "pose")."""
        return self.features == "pose"

    @property
    def window_shape(self) -> tuple[int, int, int, int]:
        """One default window: (time, h, w, c)."""
        return (self.frames, *self.frame_shape)

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    @property
    def action_labels(self) -> tuple[str, ...]:
        """The labels that name an action: all but idle and the background class."""
        return tuple(x for x in self.labels if x not in (self.idle_label, self.background_label))

    def replace(self, **changes) -> ModelConfig:
        """Returns a copy with `changes` applied (the config itself is frozen)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["labels"] = list(self.labels)
        d["symmetric_labels"] = list(self.symmetric_labels)
        d["needs_legs"] = list(self.needs_legs)
        d["needs_repeats"] = list(self.needs_repeats)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"Unknown keys in model config: {unknown}. Known keys: {sorted(known)}")
        d = dict(d)
        # Pose bundles saved before the version existed were trained on version 1.
        d.setdefault("pose_version", 1)
        for key in ("labels", "symmetric_labels", "needs_legs", "needs_repeats"):
            if key in d:
                d[key] = tuple(d[key])
        return cls(**d)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def summary(self) -> str:
        """One line a person can read: architecture, window and labels."""
        if self.uses_pose:
            early = f" (deciding from {self.first_window})" if self.still_start else ""
            rates = (f"at {self.fps:g} fps, seen whole at {self.fps / 2:g} fps and the last {self.fast_frames} "
                     f"at {self.fps:g} fps" if self.fast_frames else f"at {self.fps:g} fps")
            short = (f", and a second head on the last {self.short_head_frames} at {self.fps:g} fps, "
                     "the two averaged" if self.short_head_frames else "")
            legs = f" ({', '.join(self.needs_legs)} only with the legs seen)" if self.needs_legs else ""
            legs += (f" ({', '.join(self.needs_repeats)} never from one sweep)" if self.needs_repeats else "")
            return (f"{self.arch} on BlazePose landmarks: {self.frames} steps {rates}{early}{short}, "
                    f"{self.num_classes} classes: " + ", ".join(self.labels) + legs)
        return (
            f"{self.arch}: {self.frames} frames x {self.size}x{self.size}x{self.channels} "
            f"({self.color}{(', normal flow' if self.motion_input == 'flow' else ', motion pairs') if self.motion else ''}"
            f"{', motion crop' if self.crop else ''}) at {self.fps:g} fps, "
            f"{self.num_classes} classes: "
            + ", ".join(self.labels)
        )
