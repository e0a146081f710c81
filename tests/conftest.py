"""Shared fixtures: a tiny model config and one quiet Keras import per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# `.venv/bin/pytest` puts tests/ on sys.path, not the repository root that holds app/ and model/.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Imported first so TF_CPP_MIN_LOG_LEVEL and KERAS_BACKEND are set before anything loads Keras.
import model.backend  # noqa: E402,F401
from model.config import ModelConfig  # noqa: E402


@pytest.fixture(scope="session")
def keras():
    """The `keras` module, imported once and quietly via model.backend."""
    from model.backend import import_keras

    return import_keras()


@pytest.fixture
def tiny_config() -> ModelConfig:
    """A model small enough to build and run in well under a second on one core.

    16 px gray frames, 3 classes, embed_dim 8, lstm_units 8, 4 predictor filters.
    """
    return ModelConfig(
        labels=("idle", "wave", "walk"),
        frames=8,
        min_frames=4,
        max_frames=32,
        size=16,
        color="gray",
        embed_dim=8,
        lstm_units=8,
        predictor_filters=4,
    )
