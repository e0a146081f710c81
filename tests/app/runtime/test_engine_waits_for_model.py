"""A file opened while the model still loads waits for it: no frame plays unlabelled."""

from __future__ import annotations

import threading

from app.runtime.engine import Engine
from app.settings import EngineSettings
from tests.engine_fixtures import tiny_bundle_fixture, write_clip  # noqa: F401


def test_file_waits_for_the_model(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "c.avi", n=40, fps=30.0)
    engine = Engine(EngineSettings())
    frames, done = [], threading.Event()

    def on_frame(frame, result):
        frames.append((frame.index, engine.model_ready))
        if len(frames) >= 20:
            done.set()

    engine.events.frame_ready.connect(on_frame)
    try:
        engine.load_model(tiny_bundle)
        engine.open_source(str(clip))  # at once: the model is still loading
        assert engine.waiting_for_model or engine.model_ready
        assert done.wait(60)
    finally:
        engine.stop()
    assert [i for i, _ in frames[:20]] == list(range(20))  # from the first frame, in order
    assert all(ready for _, ready in frames)  # every frame shown with the model loaded


def test_a_model_that_fails_lets_the_file_play(tmp_path):
    clip = write_clip(tmp_path / "c.avi", n=20, fps=30.0)
    engine = Engine(EngineSettings())
    got, failed = threading.Event(), []
    engine.events.model_failed.connect(failed.append)
    engine.events.frame_ready.connect(lambda frame, result: got.set())
    try:
        engine.load_model(tmp_path / "no_such_bundle")
        engine.open_source(str(clip))
        assert got.wait(30)
    finally:
        engine.stop()
    assert failed
