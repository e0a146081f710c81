"""Runtime settings a user can change while the engine runs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SmoothingSettings:
    """How raw window probabilities become a stable label.

    Attributes:
        ema: weight of the newest probabilities in the moving average (1 = no smoothing).
        enter: an action becomes the label once its smoothed probability reaches this;
            below it the label is "unknown". None: the model's own `unknown_below`,
            calibrated on sources it was not trained on.
        exit: the current label is kept until its smoothed probability falls below this.
        min_dwell_s: a new label must hold this long (source seconds) before it is shown.
        class_enter: optional per-class enter thresholds, overriding `enter`.
    """

    # 0.35 at 30 fps settles in ~0.2 s: fast enough to follow, slow enough not to flicker.
    ema: float = 0.35
    enter: float | None = None
    exit: float = 0.4
    # 0.4 s: longer than the pass through a neighbouring class at the start of an action.
    min_dwell_s: float = 0.4
    class_enter: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 < self.ema <= 1.0:
            raise ValueError(f"`ema` must be in (0, 1]. Received: ema={self.ema}")
        if not 0.0 <= self.exit <= (1.0 if self.enter is None else self.enter) <= 1.0:
            raise ValueError(
                "Expected 0 <= `exit` <= `enter` <= 1 (hysteresis). "
                f"Received: enter={self.enter}, exit={self.exit}"
            )
        if self.min_dwell_s < 0:
            raise ValueError(f"`min_dwell_s` must be >= 0. Received: min_dwell_s={self.min_dwell_s}")


# People followed at once by the app and `run`: a family or a small class in front of a camera.
DEFAULT_MAX_PEOPLE = 4


@dataclass(frozen=True)
class EngineSettings:
    """What the inference thread does per frame.

    Attributes:
        window: frames per window (None: the bundle's default T).
        stride: run the temporal head every `stride` model steps (1 = every step).
        predictor_every: run the next-frame predictor every k model steps (0 = never).
        smoothing: label smoothing settings.
        max_people: the most people a pose model follows, each with their own label;
            1 follows one person (the most prominent), as before several were followed.
    """

    window: int | None = None
    stride: int = 1
    # every 2nd step at 30 fps is 15 Hz: the preview target, at half the predictor cost.
    predictor_every: int = 2
    smoothing: SmoothingSettings = field(default_factory=SmoothingSettings)
    # 1 here, so a library caller gets one person unless it asks; the app and `run` default to
    # DEFAULT_MAX_PEOPLE.
    max_people: int = 1

    def __post_init__(self) -> None:
        if int(self.max_people) < 1:
            raise ValueError(f"`max_people` must be at least 1. Received: max_people={self.max_people}")

    def replace(self, **changes) -> EngineSettings:
        return dataclasses.replace(self, **changes)
