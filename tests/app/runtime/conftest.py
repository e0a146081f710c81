"""Engine fixtures: an event collector, engines that are always stopped, a loaded engine, a clip."""

from __future__ import annotations

import pytest

from app.runtime.engine import Engine
from app.settings import EngineSettings
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    Events,  # noqa: F401 (fixtures)
    engine_threads,
    make_frames,
    read_clip,
    tiny_bundle_fixture,
    wait_for,
    write_clip,
)


@pytest.fixture(autouse=True)
def no_threads_left():
    yield
    assert wait_for(lambda: not engine_threads(include_loader=True), timeout=5.0), engine_threads(True)


@pytest.fixture
def make_engine():
    """Makes engines and always stops them, so a failing test leaves no thread behind."""
    engines = []

    def make(settings: EngineSettings | None = None, device: str = "auto") -> Engine:
        engine = Engine(settings or EngineSettings(), device=device)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.stop()
        engine.wait_until_loaded()


@pytest.fixture
def loaded(make_engine, tiny_bundle):
    """A function making an engine with the tiny model loaded, and its event collector."""

    def make(settings: EngineSettings | None = None, device: str = "auto", frame_delay: float = 0.0):
        engine = make_engine(settings, device)
        events = Events(engine, frame_delay)
        engine.load_model(tiny_bundle)
        assert engine.wait_until_loaded(timeout=30), events.named("model_failed")
        return engine, events

    return make


@pytest.fixture(scope="module")
def clip45(tmp_path_factory):
    return write_clip(tmp_path_factory.mktemp("engine") / "clip45.avi", 45, fps=30.0)

