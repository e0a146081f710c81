"""Tests for app/runtime/engine.py: drops, file order, seek and step, settings, devices, stopping."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.capture.paced_camera import PacedCamera
from app.frames import Frame
from app.runtime.engine import Engine
from app.runtime.inference import CompiledModels
from app.runtime.processor import FrameProcessor
from app.settings import EngineSettings
from model.bundle import load_bundle
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    Events,
    engine_threads,
    make_frames,
    read_clip,
    tiny_bundle_fixture,
    wait_for,
    write_clip,
)


def test_live_source_drops_stale_frames_for_a_slow_consumer(make_engine):
    engine = make_engine()
    events = Events(engine, frame_delay=0.03)
    camera = PacedCamera(make_frames(10), fps=200.0, limit=400)
    info = engine.open_source(0, factory=lambda source: camera)
    assert info.kind == "camera" and info.frame_count is None
    assert events.wait(lambda e: len(e.frames) >= 10)
    stats = engine.stats()
    assert stats["dropped"] > 0
    indices = events.indices
    assert indices == sorted(set(indices))  # newest first, never an old frame after a new one
    assert indices[-1] - indices[0] + 1 > len(indices)  # frames were skipped, not queued
    assert engine.stop()


def test_file_delivers_every_frame_once_in_order(loaded, clip45):
    engine, events = loaded(frame_delay=0.005)
    info = engine.open_source(str(clip45), realtime=False)
    assert info.kind == "file" and info.frame_count == 45
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert events.indices == list(range(45))
    assert engine.stats()["dropped"] == 0
    results = [r for _, r in events.frames]
    assert results[-1] is not None and results[-1].frame_index == 44
    assert all(r.frame_index == f.index for f, r in events.frames if r is not None)
    assert engine.stop()


def test_results_match_a_fresh_processor_on_the_same_frames(loaded, clip45, tiny_bundle):
    engine, events = loaded(EngineSettings(predictor_every=0))
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    processor = FrameProcessor(CompiledModels(load_bundle(tiny_bundle)), EngineSettings(predictor_every=0))
    images = read_clip(clip45)
    for (frame, result), image in zip(events.frames, images, strict=True):
        expected = processor.process(Frame(image, frame.index, frame.source_time, time.monotonic()))
        assert (result is None) == (expected is None)
        if result is not None:
            np.testing.assert_allclose(result.raw_probs, expected.raw_probs, atol=1e-5)
            np.testing.assert_allclose(result.probs, expected.probs, atol=1e-5)


def test_window_and_stride_change_live(loaded, clip45):
    engine, events = loaded(EngineSettings(window=100, stride=1))
    assert engine._processor is None or engine._processor.settings.window == 12
    engine.update_settings(EngineSettings(window=4, stride=2))
    assert engine.settings.window == 4
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    results = [r for _, r in events.frames if r is not None]
    # A 4-step window at 10 fps reaches back 0.3 s: 8 frames at 30 fps (with slack).
    assert results[0].frame_index == 8
    # Stride 2: every other step repeats the previous step's probabilities.
    assert np.array_equal(results[2].raw_probs, results[1].raw_probs)
    assert engine.model_info["min_frames"] == 4 and engine.model_info["max_frames"] == 12


def test_model_info_and_device_in_results_and_stats(loaded, clip45):
    engine, events = loaded(device="cpu")
    info = engine.model_info
    assert info["labels"] == ("idle", "wave", "walk")
    assert info["device"] == "CPU" and info["fps"] == 10.0 and info["has_predictor"]
    assert info["runtime"] == "LiteRT"  # --device cpu: no TensorFlow needed
    assert events.named("model_loaded") == [info]
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert {r.device for _, r in events.frames if r is not None} == {"CPU"}
    stats = engine.stats()
    assert stats["device"] == "CPU" and stats["runtime"] == "LiteRT"
    assert set(stats) >= {"capture_fps", "model_fps", "inference_ms", "latency_ms", "dropped", "backlog"}
    assert stats["inference_ms"] > 0 and stats["latency_ms"] > 0


def test_gpu_request_without_a_gpu_falls_back_with_a_notice(loaded, clip45):
    from model.backend import describe_devices

    if describe_devices()["gpus"]:
        pytest.skip("this machine has a GPU; the fallback is for machines without one")
    engine, events = loaded(device="gpu")
    assert events.named("model_failed") == []
    notices = events.named("error_raised")
    assert len(notices) == 1 and "GPU" in notices[0] and "CPU" in notices[0]
    assert engine.device_label == "CPU" and engine.stats()["device"] == "CPU"
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert {r.device for _, r in events.frames if r is not None} == {"CPU"}


def test_bad_bundle_path_fails_with_one_line_naming_it(make_engine, tmp_path):
    engine = make_engine()
    events = Events(engine)
    missing = tmp_path / "no_such_model"
    engine.load_model(missing)
    assert not engine.wait_until_loaded(timeout=30)
    failures = events.named("model_failed")
    assert len(failures) == 1
    assert str(missing) in failures[0] and "\n" not in failures[0]
    assert not engine.model_ready and engine.model_info is None
    empty = tmp_path / "empty"
    empty.mkdir()
    engine.load_model(empty)
    assert not engine.wait_until_loaded(timeout=30)
    assert str(empty) in events.named("model_failed")[1]


def hold_model_loads(monkeypatch) -> threading.Event:
    """Holds every model load until the returned event is set.

    On LiteRT the tiny bundle loads in milliseconds, sooner than a test's next step: held,
    a load really is in flight then, as a slow import would be.
    """
    import app.runtime.model_loading as loading_module

    release = threading.Event()
    real_build = loading_module.build_processor

    def held_build(*args, **kwargs):
        release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(loading_module, "build_processor", held_build)
    return release


def test_only_the_newest_model_request_is_adopted(make_engine, tiny_bundle, tmp_path, monkeypatch):
    # Held until both requests are in (CI once saw the first load finish before the second
    # request), so the first really is superseded mid-load.
    asked = hold_model_loads(monkeypatch)
    engine = make_engine()
    events = Events(engine)
    engine.load_model(tiny_bundle)
    engine.load_model(tmp_path / "missing")  # asked for before the first finished loading
    asked.set()
    assert not engine.wait_until_loaded(timeout=30)
    loaders = [t for t in threading.enumerate() if t.name == "actionlens-loader"]
    for loader in loaders:  # the first request's loader, still finishing its work
        loader.join(30)
    assert events.named("model_loaded") == []
    assert len(events.named("model_failed")) == 1
    assert not engine.model_ready


def test_frames_flow_without_a_model(make_engine, clip45):
    engine = make_engine()
    events = Events(engine)
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert events.indices == list(range(45))
    assert all(result is None for _, result in events.frames)


def test_a_failing_consumer_is_reported_not_fatal(make_engine, clip45):
    engine = make_engine()
    events = Events(engine)

    def broken(frame, result):
        raise RuntimeError("consumer bug")

    engine.events.frame_ready.connect(broken)
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert len(events.indices) == 45
    assert any("consumer bug" in msg for msg in events.named("error_raised"))


def test_stop_returns_within_two_seconds_and_leaves_no_threads(loaded, clip45):
    engine, events = loaded()
    engine.open_source(str(clip45), realtime=True, loop=True)
    assert events.wait(lambda e: len(e.frames) >= 3)
    t0 = time.monotonic()
    assert engine.stop()
    assert time.monotonic() - t0 < 2.0
    assert engine_threads() == []


def test_stop_with_a_live_camera_running(make_engine):
    engine = make_engine()
    events = Events(engine)
    engine.open_source(0, factory=lambda source: PacedCamera(make_frames(5), fps=60.0))
    assert events.wait(lambda e: len(e.frames) >= 3)
    t0 = time.monotonic()
    assert engine.stop()
    assert time.monotonic() - t0 < 2.0
    assert engine_threads() == []


def test_stop_while_the_model_is_loading(make_engine, tiny_bundle, monkeypatch):
    stopped = hold_model_loads(monkeypatch)  # until stop() has returned
    engine = make_engine()
    events = Events(engine)
    engine.load_model(tiny_bundle)
    t0 = time.monotonic()
    assert engine.stop()
    assert time.monotonic() - t0 < 2.0
    stopped.set()
    assert engine_threads() == []  # the daemon loader may still be finishing its import
    engine.wait_until_loaded(timeout=30)
    assert engine_threads(include_loader=True) == []
    assert events.named("model_loaded") == [] and events.named("model_failed") == []
    assert not engine.model_ready


def test_stop_twice_and_without_starting():
    engine = Engine()
    assert engine.stop()
    assert engine.stop()
