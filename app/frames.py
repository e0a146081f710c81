"""The frame record that travels from capture to the label on screen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Frame:
    """One decoded frame and where and when it came from.

    Attributes:
        image: uint8 frame as decoded: gray (h, w), BGR (h, w, 3) or BGRA (h, w, 4).
        index: the frame's index in its source (0-based; live sources count reads).
        source_time: seconds from the start of the source (index / fps for files,
            capture clock for live sources).
        captured_at: `time.monotonic()` when the frame was read, so latency is
            measured from capture to result rather than guessed.
    """

    image: np.ndarray
    index: int
    source_time: float
    captured_at: float
