"""Shared checks for pose temporal heads (two rates, two heads)."""

from __future__ import annotations

import numpy as np

# Pose features a step (`model.pose.features.FEATURE_DIM`).
FEATURES = 57


def pose_steps(t: int, batch: int = 2, seed: int = 0) -> np.ndarray:
    """Random pose windows, (batch, t, FEATURES)."""
    return np.random.default_rng(seed).random((batch, t, FEATURES), dtype=np.float32)


def assert_head_runs_on_litert_as_on_keras(head, width: int, lengths, tmp_path) -> None:
    """Converts `head` ((1, time, width) -> classes) once and checks it on windows of each length:
    the shortest window the app may use, a young buffer's and the whole one, from one file."""
    from model.lite.convert import convert_keras, max_abs_difference

    path = tmp_path / "head.tflite"
    path.write_bytes(convert_keras(head, (1, None, width)))
    rng = np.random.default_rng(1)
    for t in lengths:
        assert max_abs_difference(path, head, [rng.random((1, t, width), dtype=np.float32)]) < 1e-4, t
