"""Shared helpers for the engine tests: a tiny model bundle, tiny clips, thread checks.

The bundles are built once per test session (Keras model building and saving is
the slow part) and reused by every engine and CLI test module.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.capture.paced_camera import load_frames
from app.frames import Frame
from app.runtime.engine import Engine
from model.config import ModelConfig

CLIP_SIZE = (48, 32)  # (width, height): small to decode, big enough to be resized down
_BUNDLES: dict[str, Path] = {}


def tiny_config(arch: str = "cnn_lstm", **changes) -> ModelConfig:
    """A model config small enough to build, save and run in well under a second.

    16 px gray frames, 3 classes, windows of 6 (4..12) frames at 10 fps.
    """
    config = ModelConfig(
        labels=("idle", "wave", "walk"),
        frames=6,
        min_frames=4,
        max_frames=12,
        size=16,
        color="gray",
        fps=10.0,
        arch=arch,
        embed_dim=8,
        lstm_units=8,
        predictor_frames=4,
        predictor_filters=4,
    )
    return config.replace(**changes) if changes else config


def build_bundle(path: str | Path, config: ModelConfig, predictor: bool = True) -> Path:
    """Builds an untrained classifier (and predictor) for `config` and saves a bundle at `path`."""
    from model.bundle import save_bundle
    from model.nets.networks import build_classifier
    from model.nets.predictor import build_predictor

    classifier = build_classifier(config)
    pred = build_predictor(config) if predictor else None
    return save_bundle(path, config, classifier, pred)


# The session's bundles: name -> config. `train` makes motion models by default.
VARIANTS = {
    "motion": tiny_config("cnn_lstm", motion=True),
    "plain": tiny_config("cnn_lstm"),
    "convlstm": tiny_config("convlstm", motion=True),
    "flow": tiny_config("cnn_lstm", motion=True, motion_input="flow"),
    "pose": tiny_config("cnn_lstm", features="pose", labels=("idle", "wave", "other"),
                        background_label="other"),
}


def shared_bundle(factory: pytest.TempPathFactory, variant: str = "motion") -> Path:
    """The session's bundle for one of `VARIANTS`, built on first use (with a predictor)."""
    if variant not in _BUNDLES:
        root = factory.mktemp(f"bundle_{variant}")
        _BUNDLES[variant] = build_bundle(root / "tiny", VARIANTS[variant])
    return _BUNDLES[variant]


# Fixtures carry `name=` so test modules import them as `*_fixture` and take the short
# name as an argument without shadowing an import.
@pytest.fixture(scope="session", name="tiny_bundle")
def tiny_bundle_fixture(tmp_path_factory) -> Path:
    """Path of a tiny cnn_lstm motion bundle (as `train` makes) with a next-frame predictor."""
    return shared_bundle(tmp_path_factory, "motion")


@pytest.fixture(scope="session", name="plain_bundle")
def plain_bundle_fixture(tmp_path_factory) -> Path:
    """Path of a tiny cnn_lstm bundle whose encoder takes plain frames (no motion pairs)."""
    return shared_bundle(tmp_path_factory, "plain")


@pytest.fixture(scope="session", name="flow_bundle")
def flow_bundle_fixture(tmp_path_factory) -> Path:
    """Path of a tiny cnn_lstm bundle whose encoder turns motion pairs into normal flow."""
    return shared_bundle(tmp_path_factory, "flow")


@pytest.fixture(scope="session", name="pose_bundle")
def pose_bundle_fixture(tmp_path_factory) -> Path:
    """Path of a tiny untrained pose cnn_lstm bundle (BlazePose features; `other` as background)."""
    return shared_bundle(tmp_path_factory, "pose")


@pytest.fixture(scope="session", name="convlstm_bundle")
def convlstm_bundle_fixture(tmp_path_factory) -> Path:
    """Path of a tiny convlstm bundle (an unsplittable classifier) with a predictor."""
    return shared_bundle(tmp_path_factory, "convlstm")


def make_frames(n: int, size: tuple[int, int] = CLIP_SIZE, seed: int = 0) -> list[np.ndarray]:
    """`n` uint8 BGR frames (h, w, 3): noise plus a square that moves, so windows differ."""
    rng = np.random.default_rng(seed)
    w, h = size
    frames = []
    for i in range(n):
        img = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
        x = (3 * i) % (w - 10)
        img[h // 2 - 5 : h // 2 + 5, x : x + 10] = 230
        frames.append(img)
    return frames


def write_clip(path: str | Path, n: int = 30, fps: float = 30.0, size: tuple[int, int] = CLIP_SIZE) -> Path:
    """Writes an MJPG .avi of `n` frames from `make_frames`; returns its path."""
    path = Path(path)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened(), f"OpenCV cannot write MJPG to {path}"
    for frame in make_frames(n, size):
        writer.write(frame)
    writer.release()
    return path


def read_clip(path: str | Path) -> list[np.ndarray]:
    """Decodes every frame of a video, as the engine's capture does."""
    return load_frames(str(path), max_frames=sys.maxsize)


def auto_device_label() -> str:
    """What `--device auto` runs on here: "CPU", or the GPU's name on a machine with one."""
    from model.backend import device_label, select_device

    return device_label(select_device("auto")[0])


def engine_threads(include_loader: bool = False) -> list[threading.Thread]:
    """Live threads the engine (or its captures) started."""
    return [
        t for t in threading.enumerate()
        if t.name.startswith("actionlens-") and (include_loader or t.name != "actionlens-loader")
    ]


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Polls `predicate` until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class Events:
    """Collects every engine event, thread-safely, and waits on them."""

    def __init__(self, engine: Engine, frame_delay: float = 0.0) -> None:
        self.frames: list[tuple[Frame, object]] = []
        self.other: list[tuple[str, object]] = []
        self.frame_delay = frame_delay
        self._cond = threading.Condition()
        engine.events.frame_ready.connect(self._on_frame)
        for name in ("model_loaded", "model_failed", "source_ended", "error_raised"):
            getattr(engine.events, name).connect(lambda arg, name=name: self._add(name, arg))

    def _on_frame(self, frame, result) -> None:
        if self.frame_delay:
            time.sleep(self.frame_delay)  # a slow consumer: the GUI painting, a disk write
        with self._cond:
            self.frames.append((frame, result))
            self._cond.notify_all()

    def _add(self, name: str, arg) -> None:
        with self._cond:
            self.other.append((name, arg))
            self._cond.notify_all()

    def named(self, name: str) -> list:
        with self._cond:
            return [arg for n, arg in self.other if n == name]

    @property
    def indices(self) -> list[int]:
        with self._cond:
            return [f.index for f, _ in self.frames]

    def wait(self, predicate, timeout: float = 10.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def mark(self) -> int:
        with self._cond:
            return len(self.frames)
