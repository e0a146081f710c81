"""What the engine says about one frame."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Shown when no known action is confident enough, or the model's background class wins.
UNKNOWN = "unknown"
# Shown by a pose model when fewer than half of the window's steps hold a person.
NO_PERSON = "no person"
# The label from a source's first full window (or a reset) until a first label has held its
# dwell: the model may already lean one way, but nothing is claimed yet. "unknown" there would
# claim motion unlike any known action while the model is sure of one.
UNDECIDED = ""


def with_count(name: str, count: int, times: str = "\u00d7") -> str:
    """`name` with its repetitions beside it ("jumping_jack \u00d78"), or `name` alone below 1.

    Args:
        name: the label as shown.
        count: the repetitions of the segment so far.
        times: the sign between them ("x" where only ASCII can be drawn).
    """
    return f"{name} {times}{int(count)}" if count >= 1 else name


def surprise_text(surprise: float | None) -> str:
    """The surprise as shown: two significant digits (values run from about 1e-5 to 0.1), or "–"."""
    return "–" if surprise is None else f"{surprise:.2g}"


@dataclass
class PersonResult:
    """One person in view, with their own label (several-people mode).

    Attributes:
        id: the person's track id (1, 2, ...), stable while they stay in view.
        label: their shown label, as `Result.label` (`UNDECIDED` until their first window decides).
        confidence: the smoothed probability of `label`.
        probs: their smoothed class probabilities, (classes,).
        raw_probs: their classifier probabilities, (classes,).
        pose: their `model.pose.landmarks.Pose` in this frame.
        pending: the label their smoother is confirming, or "".
        count: repetitions of `label` in their current segment so far (0 when it is not an
            action: idle, unknown, undecided).
    """

    id: int
    label: str
    confidence: float
    probs: np.ndarray = field(repr=False)
    raw_probs: np.ndarray = field(repr=False)
    pose: object = field(repr=False)
    pending: str = ""
    count: int = 0

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in source pixels."""
        return self.pose.box()


@dataclass
class Result:
    """The engine's answer for one processed frame.

    Attributes:
        frame_index: the source frame this answer belongs to.
        source_time: that frame's source time, seconds.
        label: the stable (smoothed, hysteresis-filtered) label, or the idle
            label / "unknown" when no known action is confident enough, or
            `UNDECIDED` ("") until the first label has held its dwell.
        confidence: the smoothed probability of `label` (of the top class when
            `label` is "unknown").
        probs: smoothed class probabilities, shape (classes,).
        raw_probs: the classifier's probabilities for this window, shape (classes,).
        labels: class names in the order of `probs`.
        surprise: mean squared error between the previously predicted frame and
            this frame, in model space; None when no prediction was due.
        latency_ms: capture of the frame to this result, milliseconds.
        inference_ms: model time spent on this frame, milliseconds.
        predicted_frame: the newest next-frame prediction (made at this frame or a recent one), float
            (h, w, c) in [0, 1] in model space, or None.
        device: where the model ran ("CPU" or the GPU's name).
        pose: the person's `model.pose.landmarks.Pose` in this frame (pose models), or None;
            always None when `label` is `NO_PERSON`, so what is drawn agrees with what is said.
        pending: the label the smoother is confirming through its dwell, to replace `label`, or "".
        background_label: the model's class for motion that is none of its actions (e.g. "other"),
            or ""; it is shown as "unknown", as the label is when that class wins.
        people: with several people followed (`max_people` > 1), everyone in view as
            `PersonResult`s in id order ([] when nobody is), and the fields above are the
            selected person's (`person_id`); None when one person is followed.
        person_id: the selected person's id, or None.
        count: repetitions of `label` in the current segment so far (pose models); 0 when
            `label` is no action (idle, unknown, undecided, no person) or none is counted yet.
    """

    frame_index: int
    source_time: float
    label: str
    confidence: float
    probs: np.ndarray
    raw_probs: np.ndarray
    labels: tuple[str, ...]
    surprise: float | None = None
    latency_ms: float = 0.0
    inference_ms: float = 0.0
    predicted_frame: np.ndarray | None = field(default=None, repr=False)
    device: str = "CPU"
    pose: object | None = field(default=None, repr=False)
    pending: str = ""
    background_label: str = ""
    people: list[PersonResult] | None = field(default=None, repr=False)
    person_id: int | None = None
    count: int = 0

    def shown_name(self, label: str) -> str:
        """`label` as the user reads it: the background class is "unknown" everywhere."""
        return UNKNOWN if label and label == self.background_label else label

    @property
    def shown_label(self) -> str:
        """`label` as shown (the smoother already says "unknown" for the background class)."""
        return self.shown_name(self.label)

    def shown_top_k(self, k: int = 3) -> list[tuple[str, float]]:
        """`top_k` with the background class named "unknown", as bars and legends show it."""
        return [(self.shown_name(name), p) for name, p in self.top_k(k)]

    def top_k(self, k: int = 3) -> list[tuple[str, float]]:
        """The k most probable classes, as (label, smoothed probability), best first."""
        order = np.argsort(-self.probs)[:k]
        return [(self.labels[i], float(self.probs[i])) for i in order]

    def to_json(self, landmarks: bool = False) -> dict:
        """A JSON-ready dict: one line of the events file.

        Args:
            landmarks: also give the 33 landmarks (x, y image pixels, visibility).
        """
        out = {
            "frame": int(self.frame_index),
            "time": round(float(self.source_time), 4),
            "label": self.label,
            "confidence": round(float(self.confidence), 4),
            "probs": {name: round(float(p), 4) for name, p in zip(self.labels, self.probs, strict=True)},
            "surprise": None if self.surprise is None else round(float(self.surprise), 6),
            "latency_ms": round(float(self.latency_ms), 2),
            "inference_ms": round(float(self.inference_ms), 2),
            "device": self.device,
            "count": int(self.count),
        }
        if self.pending:
            # The shown label is held while this one waits out its dwell; its confidence can be
            # near zero then, and a reader of the line should know why it is still shown.
            out["pending"] = self.pending
        if self.pose is not None:
            out["box"] = [round(float(v), 1) for v in self.pose.box()]
            if landmarks:
                out["landmarks"] = [[round(float(x), 1), round(float(y), 1), round(float(v), 3)]
                                    for (x, y, _), v in zip(self.pose.image, self.pose.visibility, strict=True)]
        if self.people is not None:
            out["person"] = self.person_id
            out["people"] = [{"id": p.id, "label": self.shown_name(p.label), "confidence": round(float(p.confidence), 4),
                              "count": int(p.count), "box": [round(float(v), 1) for v in p.box]} for p in self.people]
        return out
