"""Tests for app/runtime/playback.py: seek and step show exactly the frame asked for, with its result."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.frames import Frame
from app.runtime.inference import CompiledModels
from app.runtime.processor import FrameProcessor
from app.settings import EngineSettings
from model.bundle import load_bundle
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    engine_threads,
    make_frames,
    read_clip,
    tiny_bundle_fixture,
    wait_for,
    write_clip,
)


def fresh_raw_probs(tiny_bundle, clip, index: int) -> np.ndarray:
    """The raw probabilities a new processor gives for frame `index`, fed frames 0..index."""
    processor = FrameProcessor(CompiledModels(load_bundle(tiny_bundle)), EngineSettings(predictor_every=0))
    result = None
    for i, image in enumerate(read_clip(clip)[: index + 1]):
        result = processor.process(Frame(image, i, i / 30.0, time.monotonic()))
    return result.raw_probs


@pytest.mark.parametrize("paused", [True, False])
def test_seek_shows_the_target_frame_next_with_its_result(loaded, clip45, tiny_bundle, paused):
    engine, events = loaded(EngineSettings(predictor_every=0))
    engine.open_source(str(clip45), realtime=True)
    assert events.wait(lambda e: len(e.frames) >= 3)
    if paused:
        engine.pause()
        assert engine.paused
    for target in (30, 20):
        start = events.mark()
        engine.seek(target)
        assert events.wait(lambda e, start=start: len(e.frames) > start)
        frame, result = events.frames[start]
        assert frame.index == target
        assert result is not None and result.frame_index == target
        np.testing.assert_allclose(result.raw_probs, fresh_raw_probs(tiny_bundle, clip45, target), atol=1e-5)
        if paused:
            time.sleep(0.2)
            assert len(events.frames) == start + 1  # one frame, then still paused
        else:
            assert events.wait(lambda e, start=start: len(e.frames) > start + 1)
            assert events.frames[start + 1][0].index == target + 1
    assert engine.stop()


def test_seek_while_playing_fast_never_shows_a_frame_from_before_the_seek(loaded, clip45):
    # Unpaced playback keeps the queue full and the inference thread busy: the frames in
    # flight when seek() is called must not be shown after it returns.
    engine, events = loaded(EngineSettings(predictor_every=0))
    engine.open_source(str(clip45), realtime=False, loop=True)
    rng = np.random.default_rng(0)
    for target in (40, 18, 33, 25, 38, 20, 30, 22):  # all past the first full window (14)
        time.sleep(float(rng.uniform(0.0, 0.03)))
        start = events.mark()
        engine.seek(target)
        assert events.wait(lambda e, start=start: len(e.frames) > start)
        frame, result = events.frames[start]
        assert frame.index == target
        assert result is not None and result.frame_index == target
    assert engine.stop()


def test_a_callback_may_seek_without_deadlock(loaded, clip45):
    engine, events = loaded(EngineSettings(predictor_every=0))
    seeked = []

    def seek_once(frame, result):
        if frame.index == 20 and not seeked:
            seeked.append(True)
            engine.pause()
            engine.seek(35)

    engine.events.frame_ready.connect(seek_once)
    engine.open_source(str(clip45), realtime=False)
    assert events.wait(lambda e: 35 in e.indices)
    indices = events.indices
    assert indices[indices.index(20) + 1] == 35
    assert engine.stop()


def test_step_while_paused_delivers_exactly_one_frame(loaded, clip45):
    engine, events = loaded(EngineSettings(predictor_every=0))
    engine.open_source(str(clip45), realtime=True)
    engine.pause()
    start = events.mark()
    engine.seek(25)
    assert events.wait(lambda e: len(e.frames) > start)
    shown = 25
    for delta in (+1, +1, -1, -1, -1):
        start = events.mark()
        engine.step(delta)
        assert events.wait(lambda e, start=start: len(e.frames) > start)
        time.sleep(0.1)
        assert len(events.frames) == start + 1
        frame, result = events.frames[start]
        shown += delta
        assert frame.index == shown
        assert result is not None and result.frame_index == shown
    assert engine.paused
    assert engine.stop()


def test_resume_after_pause_continues_in_order(loaded, clip45):
    engine, events = loaded()
    engine.open_source(str(clip45), realtime=False)
    engine.pause()
    time.sleep(0.1)
    engine.resume()
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert events.indices == list(range(45))

