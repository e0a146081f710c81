"""Tests for app/runtime/processor.py: cached windows equal full windows, settings, surprise."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.frames import Frame
from app.runtime.inference import CompiledModels
from app.runtime.processor import FrameProcessor
from app.settings import EngineSettings
from model.bundle import load_bundle
from model.preprocess import preprocess_frame
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    convlstm_bundle_fixture,
    flow_bundle_fixture,
    make_frames,
    plain_bundle_fixture,
    tiny_bundle_fixture,
)

TOL = 1e-5
FPS_IN = 30.0  # the source; the tiny model runs at 10 fps, so windows take every 3rd frame
STEP = 3


@pytest.fixture(scope="module")
def models(tiny_bundle) -> CompiledModels:
    """The motion cnn_lstm (its encoder takes frame/change pairs), as `train` makes."""
    return CompiledModels(load_bundle(tiny_bundle))


@pytest.fixture(scope="module")
def plain_models(plain_bundle) -> CompiledModels:
    """A cnn_lstm whose encoder takes single frames."""
    return CompiledModels(load_bundle(plain_bundle))


@pytest.fixture(scope="module")
def flow_models(flow_bundle) -> CompiledModels:
    """A motion cnn_lstm whose encoder turns each pair into normal flow first."""
    return CompiledModels(load_bundle(flow_bundle))


# The cached path differs by encoder input: every kind must equal the full model.
both = pytest.mark.parametrize("which", ["models", "plain_models", "flow_models"])


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    return make_frames(40)


def frame(images, i: int, fps: float = FPS_IN) -> Frame:
    return Frame(images[i], i, i / fps, time.monotonic())


def run(processor: FrameProcessor, images, fps: float = FPS_IN) -> dict:
    """Feeds every image; returns {frame index: Result} for frames that got one."""
    results = {}
    for i in range(len(images)):
        result = processor.process(frame(images, i, fps))
        if result is not None:
            results[i] = result
    return results


def full_window_probs(models: CompiledModels, images, end: int, length: int) -> np.ndarray:
    """The full classifier on the 10 fps window ending at frame `end` of a 30 fps sequence.

    The oldest step may fall half a step before frame 0; frame 0 is then the nearest.
    """
    cfg = models.config
    picks = [max(0, end - STEP * k) for k in range(length - 1, -1, -1)]
    window = np.stack([preprocess_frame(images[i], cfg) for i in picks])
    return np.asarray(models.classifier.predict_on_batch(window[None]))[0]


def test_no_result_until_the_window_is_filled(models, frames):
    results = run(FrameProcessor(models, EngineSettings(predictor_every=0)), frames[:20])
    # 6 steps at 10 fps reach back 0.5 s = 15 frames at 30 fps (half a step of slack: 14).
    assert min(results) == 14
    assert sorted(results) == list(range(14, 20))


def test_a_model_that_decides_early_holds_the_oldest_frame_for_the_missing_steps(plain_bundle, frames):
    import dataclasses

    bundle = load_bundle(plain_bundle)
    early = CompiledModels(dataclasses.replace(bundle, config=bundle.config.replace(decide_from=4)))
    results = run(FrameProcessor(early, EngineSettings(predictor_every=0)), frames[:20])
    # 4 steps reach back 0.3 s = 9 frames at 30 fps (half a step of slack: 8), not 14.
    assert min(results) == 8
    for i, result in results.items():
        # full_window_probs holds frame 0 for the steps before it: the still start.
        np.testing.assert_allclose(result.raw_probs, full_window_probs(early, frames, i, 6), atol=TOL)


@both
def test_cached_path_equals_the_full_classifier_on_the_resampled_window(request, which, frames):
    models = request.getfixturevalue(which)
    assert models.cached
    processor = FrameProcessor(models, EngineSettings(predictor_every=0))
    results = run(processor, frames)
    assert len(results) > 20
    for i, result in results.items():
        np.testing.assert_allclose(result.raw_probs, full_window_probs(models, frames, i, 6), atol=TOL)
        assert result.frame_index == i
        assert result.source_time == pytest.approx(i / FPS_IN)
        assert result.labels == ("idle", "wave", "walk")
        assert result.probs.shape == (3,)
        assert result.device == "CPU"
        assert result.latency_ms >= 0 and result.inference_ms >= 0


def test_unsplittable_convlstm_equals_the_full_classifier(convlstm_bundle, frames):
    models = CompiledModels(load_bundle(convlstm_bundle))
    assert not models.cached
    results = run(FrameProcessor(models, EngineSettings(predictor_every=0)), frames[:24])
    assert sorted(results) == list(range(14, 24))
    for i in (15, 19, 23):
        np.testing.assert_allclose(results[i].raw_probs, full_window_probs(models, frames, i, 6), atol=TOL)


@both
def test_jittery_source_still_equals_the_full_classifier(request, which, frames):
    # A webcam's frames are not evenly spaced: the window is whichever frames are nearest
    # to each 0.1 s step, and a motion pair's predecessor is the window frame before it.
    models = request.getfixturevalue(which)
    rng = np.random.default_rng(3)
    times = np.arange(len(frames)) / FPS_IN + rng.uniform(-0.008, 0.008, len(frames))
    times[0] = 0.0
    processor = FrameProcessor(models, EngineSettings(predictor_every=0))
    checked = 0
    for i, t in enumerate(times):
        result = processor.process(Frame(frames[i], i, float(t), time.monotonic()))
        if result is None:
            continue
        targets = t - np.arange(5, -1, -1) / 10.0
        picks = [int(np.argmin(np.abs(times[: i + 1] - target))) for target in targets]
        window = np.stack([preprocess_frame(frames[k], models.config) for k in picks])
        full = np.asarray(models.classifier.predict_on_batch(window[None]))[0]
        np.testing.assert_allclose(result.raw_probs, full, atol=TOL)
        checked += 1
    assert checked > 20


def test_motion_encoder_runs_once_per_frame_on_a_steady_source(models, frames, monkeypatch):
    calls = []
    real = models.embed_batch
    monkeypatch.setattr(models, "embed_batch", lambda x: calls.append(len(x)) or real(x))
    run(FrameProcessor(models, EngineSettings(predictor_every=0)), frames[:30])
    # 30 fps into 10 fps windows interleaves three phases (frames 14, 15, 16 start one each):
    # each fills with T - 1 pairs at once, and from then on a frame adds one new pair.
    assert calls == [5, 5, 5] + [1] * 13


def test_window_is_clamped_to_the_model_limits(models):
    processor = FrameProcessor(models, EngineSettings(window=100))
    assert processor.settings.window == 12
    processor.update_settings(EngineSettings(window=1, stride=0))
    assert processor.settings.window == 4
    assert processor.settings.stride == 1
    processor.update_settings(EngineSettings(window=None))
    assert processor.settings.window == 6


@both
def test_window_length_changes_live(request, which, frames):
    models = request.getfixturevalue(which)
    processor = FrameProcessor(models, EngineSettings(predictor_every=0))
    for i in range(20):
        processor.process(frame(frames, i))
    processor.update_settings(EngineSettings(window=4, predictor_every=0))
    result = processor.process(frame(frames, 20))
    np.testing.assert_allclose(result.raw_probs, full_window_probs(models, frames, 20, 4), atol=TOL)
    processor.update_settings(EngineSettings(window=8, predictor_every=0))
    result = processor.process(frame(frames, 21))
    np.testing.assert_allclose(result.raw_probs, full_window_probs(models, frames, 21, 8), atol=TOL)


def test_longest_window_fits_the_ring(models, frames):
    processor = FrameProcessor(models, EngineSettings(window=12, predictor_every=0))
    images = frames + make_frames(10, seed=1)
    results = run(processor, images)
    # 12 steps at 10 fps reach back 1.1 s = 33 frames (half a step of slack: 32).
    assert min(results) == 32
    np.testing.assert_allclose(results[49].raw_probs, full_window_probs(models, images, 49, 12), atol=TOL)


@both
def test_stride_two_reuses_probabilities_on_the_skipped_step(request, which, frames):
    models = request.getfixturevalue(which)
    processor = FrameProcessor(models, EngineSettings(stride=2, predictor_every=0))
    results = run(processor, frames[:24])
    order = sorted(results)
    for step, i in enumerate(order, start=1):
        if step == 1 or step % 2 == 0:
            np.testing.assert_allclose(results[i].raw_probs, full_window_probs(models, frames, i, 6), atol=TOL)
        else:
            np.testing.assert_array_equal(results[i].raw_probs, results[order[step - 2]].raw_probs)


def test_predicted_frame_is_present_when_a_predictor_exists(models, frames):
    results = run(FrameProcessor(models, EngineSettings(predictor_every=2)), frames[:24])
    assert all(r.predicted_frame is not None for r in results.values())
    assert results[14].predicted_frame.shape == (16, 16, 1)
    off = run(FrameProcessor(models, EngineSettings(predictor_every=0)), frames[:24])
    assert all(r.predicted_frame is None and r.surprise is None for r in off.values())


def test_predictor_sees_the_last_frames_of_the_window(models, frames):
    results = run(FrameProcessor(models, EngineSettings(predictor_every=1)), frames[:20])
    cfg = models.config
    context = np.stack([preprocess_frame(frames[19 - STEP * k], cfg) for k in range(3, -1, -1)])
    expected = np.asarray(models.predictor.predict_on_batch(context[None]))[0]
    np.testing.assert_allclose(results[19].predicted_frame, expected, atol=TOL)


@pytest.mark.parametrize("every", [1, 2])
def test_surprise_scores_the_prediction_on_the_frame_it_was_made_for(models, frames, every):
    # A prediction is for one model step (0.1 s = 3 frames at 30 fps) ahead.
    processor = FrameProcessor(models, EngineSettings(predictor_every=every))
    results = run(processor, frames[:30])
    scored = {i: r.surprise for i, r in results.items() if r.surprise is not None}
    assert scored, "no surprise was ever computed"
    # The predictor runs on the first step, then on every `every`-th.
    made = [i for i in sorted(results) if i == 14 or (i - 13) % every == 0]
    assert sorted(scored) == [i + STEP for i in made if i + STEP in results]
    for i, surprise in scored.items():
        actual = preprocess_frame(frames[i], models.config)
        expected = float(np.mean((results[i - STEP].predicted_frame - actual) ** 2))
        assert surprise == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_surprise_waits_for_the_first_frame_at_or_after_the_predicted_time(models, frames):
    processor = FrameProcessor(models, EngineSettings(predictor_every=100))
    times = [i / 10.0 for i in range(6)] + [0.52, 0.58, 0.63]  # then a jittery camera
    out = []
    for i, t in enumerate(times):
        out.append(processor.process(Frame(frames[i], i, t, time.monotonic())))
    assert out[5] is not None and out[5].surprise is None  # first prediction made at t=0.5
    assert out[6].surprise is None and out[7].surprise is None  # 0.52, 0.58: not yet due (0.6)
    actual = preprocess_frame(frames[8], models.config)
    assert out[8].surprise == pytest.approx(float(np.mean((out[5].predicted_frame - actual) ** 2)))


def test_reset_forgets_the_window(models, frames):
    processor = FrameProcessor(models, EngineSettings())
    run(processor, frames[:20])
    processor.reset()
    assert processor.process(frame(frames, 20)) is None
    assert len(processor.ring) == 1


def test_time_going_backwards_starts_a_new_window(models, frames):
    processor = FrameProcessor(models, EngineSettings(predictor_every=1))
    run(processor, frames[:20])
    again = run(processor, frames[:20])  # a looping file restarts at time 0
    assert min(again) == 14
    assert again[14].surprise is None
