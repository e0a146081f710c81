"""Idle windows, augmentation, and the tf.data training and eval feeds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.config import ModelConfig
from model.data.augment import NO_AUGMENT, AugmentParams, augment_window, random_train_window
from model.data.idle import make_idle_windows
from model.data.pipeline import make_eval_windows, make_train_dataset
from model.errors import DatasetError

SIZE = 16


@pytest.fixture
def config() -> ModelConfig:
    return ModelConfig(
        labels=("idle", "wave", "bend"),
        frames=6,
        min_frames=2,
        size=SIZE,
        fps=10.0,
        symmetric_labels=("bend",),
    )


def _moving_clip(n: int, seed: int) -> np.ndarray:
    """uint8 (n, SIZE, SIZE, 1): a bright bar sweeping over noise, so motion is visible."""
    rng = np.random.default_rng(seed)
    clip = np.repeat(rng.integers(40, 120, (1, SIZE, SIZE, 1), dtype=np.uint8), n, axis=0)
    for t in range(n):
        clip[t, :, t % SIZE] = 250
    return clip


def _asymmetric_window(t: int = 4) -> np.ndarray:
    w = np.zeros((t, SIZE, SIZE, 1), np.uint8)
    w[:, :, :4] = 200  # bright on the left only
    return w


def test_idle_windows_are_real_frames_nearly_still(config):
    clips = [_moving_clip(12, 0), _moving_clip(9, 1)]
    windows = make_idle_windows(clips, 6, 20, np.random.default_rng(0))
    assert windows.shape == (20, 6, SIZE, SIZE, 1) and windows.dtype == np.uint8
    frames = np.concatenate(clips).astype(np.int16)
    for w in windows.astype(np.int16):
        # The first frame is a real frame plus a little noise.
        assert np.abs(frames - w[0]).mean(axis=(1, 2, 3)).min() < 3.0
        # Far less change over time than a moving bar (which changes 2 columns of 16 per frame).
        assert np.abs(np.diff(w, axis=0)).mean() < 4.0
    # Deterministic given the rng.
    again = make_idle_windows(clips, 6, 20, np.random.default_rng(0))
    np.testing.assert_array_equal(windows, again)


def test_idle_windows_from_float_clips_stay_float_in_range():
    clip = _moving_clip(5, 2).astype(np.float32) / 255.0
    w = make_idle_windows([clip], 4, 3, np.random.default_rng(0))
    assert w.dtype == np.float32 and 0.0 <= w.min() and w.max() <= 1.0


def test_flip_only_for_symmetric_labels():
    params = AugmentParams(
        flip_prob=1.0, min_crop=1.0, brightness=0.0, contrast=0.0, speed_range=None, gamma=0.0,
        min_resolution=1.0,
    )
    w = _asymmetric_window()
    flipped = augment_window(w, np.random.default_rng(0), symmetric=True, params=params)
    np.testing.assert_array_equal(flipped, w[:, :, ::-1])
    kept = augment_window(w, np.random.default_rng(0), symmetric=False, params=params)
    np.testing.assert_array_equal(kept, w)


def test_augmentation_is_the_same_for_every_frame_and_deterministic():
    still = np.repeat(_moving_clip(1, 3), 5, axis=0)
    params = AugmentParams(min_crop=0.6, brightness=0.2, contrast=0.3)
    for seed in range(10):
        out = augment_window(still, np.random.default_rng(seed), symmetric=True, params=params)
        assert out.shape == still.shape and out.dtype == np.uint8
        # A still window stays still: crop, flip and colour are shared by all frames.
        assert np.all(out == out[0])
        again = augment_window(still, np.random.default_rng(seed), symmetric=True, params=params)
        np.testing.assert_array_equal(out, again)
    assert not np.array_equal(out, still)


def test_random_train_window_without_augmentation_is_a_plain_cut(config):
    clip = _moving_clip(20, 4)
    w = random_train_window(clip, "wave", config, np.random.default_rng(0), NO_AUGMENT)
    starts = [t for t in range(20 - 6 + 1) if np.array_equal(clip[t : t + 6], w)]
    assert starts


def test_train_dataset_yields_float_batches_with_idle_labels(config):
    clips = [(_moving_clip(12, i), label) for i, label in enumerate(["wave", "bend", "wave"])]
    ds = make_train_dataset(
        clips, config, batch_size=8, steps_per_epoch=3, seed=0, idle_fraction=0.3
    )
    batches = [(x.numpy(), y.numpy()) for x, y in ds]
    assert len(batches) == 3
    x, y = batches[0]
    assert x.shape == (8, 6, SIZE, SIZE, 1) and x.dtype == np.float32
    assert y.shape == (8,) and y.dtype == np.int32
    assert 0.0 <= x.min() and x.max() <= 1.0
    ys = np.concatenate([b[1] for b in batches])
    assert set(ys.tolist()) == {0, 1, 2}
    # A second epoch continues the random stream; the same seed repeats the run.
    second = next(iter(ds))[0].numpy()
    assert not np.array_equal(second, x)
    replay = next(iter(make_train_dataset(clips, config, 8, 3, seed=0, idle_fraction=0.3)))
    np.testing.assert_array_equal(replay[0].numpy(), x)


def test_train_dataset_rejects_bad_input(config):
    clips = [(_moving_clip(12, 0), "wave"), (_moving_clip(12, 1), "bend")]
    with pytest.raises(DatasetError, match="jump are not in the model's labels"):
        make_train_dataset([(_moving_clip(12, 0), "jump")], config, 2, 1, 0)
    with pytest.raises(DatasetError, match="longest clip has 4 frames"):
        make_train_dataset([(c[:4], label) for c, label in clips], config, 2, 1, 0)
    with pytest.raises(DatasetError, match="idle label 'idle' is not in"):
        make_train_dataset(
            clips, config.replace(labels=("wave", "bend")), 2, 1, 0, idle_fraction=0.2
        )
    with pytest.raises(DatasetError, match=r"uint8 \(time, 16, 16, 1\)"):
        make_train_dataset([(c.astype(np.float32), label) for c, label in clips], config, 2, 1, 0)


def test_eval_windows_label_every_window_with_its_clip(config):
    clips = [(_moving_clip(12, 0), "wave"), (_moving_clip(4, 1), "bend")]
    x, y, ids = make_eval_windows(clips, config, stride=3)
    # 12 frames, T=6, stride 3: offsets 0, 3, 6; the 4-frame clip loops into one window.
    assert x.shape == (4, 6, SIZE, SIZE, 1) and x.dtype == np.float32
    assert y.tolist() == [1, 1, 1, 2] and ids.tolist() == [0, 0, 0, 1]
    np.testing.assert_array_equal(x[1], clips[0][0][3:9].astype(np.float32) * np.float32(1 / 255))


def test_gamma_brightens_or_darkens_a_whole_window_alike():
    params = AugmentParams(flip_prob=0.0, min_crop=1.0, brightness=0.0, contrast=0.0, speed_range=None,
                           gamma=0.7, min_resolution=1.0)
    w = np.repeat(np.linspace(10, 245, SIZE * SIZE, dtype=np.float32).reshape(1, SIZE, SIZE, 1), 3, 0)
    w = w.astype(np.uint8)
    means = []
    for seed in range(20):
        out = augment_window(w, np.random.default_rng(seed), symmetric=False, params=params)
        assert np.all(out == out[0])
        # A monotone curve: the order of the pixels is kept.
        assert np.all(np.diff(out[0].ravel().astype(int)) >= 0)
        means.append(out.mean())
    assert min(means) < w.mean() - 10 and max(means) > w.mean() + 10


def test_resolution_softens_a_whole_window_alike_and_keeps_its_shape():
    params = dataclasses.replace(NO_AUGMENT, min_resolution=0.4)
    # A checkerboard: the finest detail a frame can hold, which a low-resolution camera loses.
    board = ((np.indices((SIZE, SIZE)).sum(0) % 2) * 255).astype(np.uint8)
    w = np.repeat(board[None, :, :, None], 4, 0)
    softened = 0
    for seed in range(10):
        out = augment_window(w, np.random.default_rng(seed), symmetric=False, params=params)
        assert out.shape == w.shape and out.dtype == np.uint8
        assert np.all(out == out[0])
        softened += np.abs(np.diff(out[0, :, :, 0].astype(int), axis=1)).mean() < 0.5 * 255
    assert softened >= 8
    sharp = augment_window(w, np.random.default_rng(0), symmetric=False, params=NO_AUGMENT)
    np.testing.assert_array_equal(sharp, w)


def test_scrambled_windows_are_shuffled_action_frames_labelled_background():
    from model.data.pipeline import to_model_input, train_batches

    config = ModelConfig(labels=("idle", "wave", "other"), frames=6, min_frames=2, size=SIZE, fps=10.0,
                         background_label="other")
    wave = _moving_clip(12, 0)
    clips = [(wave, "wave"), (np.zeros_like(wave), "other")]
    stream = train_batches(clips, config, 64, np.random.default_rng(0), augment=NO_AUGMENT,
                           scramble_fraction=1.0)
    x, y = next(stream)
    assert set(y.tolist()) == {2}
    frames = {f.tobytes() for f in to_model_input(wave)}
    # Every window is made of the wave clip's frames (never the background clip's), and most are out of order.
    assert all(f.tobytes() in frames for w in x for f in w)
    in_order = sum(all(np.argmax(w[t, :, :, 0].max(0)) < np.argmax(w[t + 1, :, :, 0].max(0)) for t in range(5))
                   for w in x)
    assert in_order < len(x) // 4


def _source_share(sources, seed: int = 0) -> float:
    """Share of `wave` windows drawn from the one clip of source "b" (8 clips of "a" beside it)."""
    from model.data.pipeline import train_batches

    config = ModelConfig(labels=("wave", "bend"), frames=4, min_frames=2, size=SIZE, fps=10.0)
    clips = [(np.full((8, SIZE, SIZE, 1), 10 + i, np.uint8), "wave") for i in range(8)]
    clips += [(np.full((8, SIZE, SIZE, 1), 200, np.uint8), "wave"), (np.zeros((8, SIZE, SIZE, 1), np.uint8), "bend")]
    x, y = next(train_batches(clips, config, 2000, np.random.default_rng(seed), augment=NO_AUGMENT, sources=sources))
    wave = x[y == 0]
    return float(np.mean(wave.max(axis=(1, 2, 3, 4)) > 0.5))


def test_balanced_sources_draw_a_small_source_as_often_as_a_big_one():
    # Per clip, the one clip of "b" is a ninth of the waves; per source, half.
    assert _source_share(None) == pytest.approx(1 / 9, abs=0.03)
    assert _source_share(["a"] * 8 + ["b", "a"]) == pytest.approx(1 / 2, abs=0.05)


def test_one_source_draws_the_same_stream_as_no_sources():
    from model.data.pipeline import train_batches

    config = ModelConfig(labels=("wave", "bend"), frames=4, min_frames=2, size=SIZE, fps=10.0)
    clips = [(_moving_clip(10, i), "wave" if i % 2 else "bend") for i in range(5)]
    plain = next(train_batches(clips, config, 32, np.random.default_rng(3)))
    one = next(train_batches(clips, config, 32, np.random.default_rng(3), sources=["x"] * 5))
    np.testing.assert_array_equal(plain[0], one[0])
    np.testing.assert_array_equal(plain[1], one[1])


def test_sources_must_name_every_clip():
    from model.data.pipeline import train_batches

    config = ModelConfig(labels=("wave", "bend"), frames=4, min_frames=2, size=SIZE, fps=10.0)
    clips = [(_moving_clip(10, i), "wave" if i % 2 else "bend") for i in range(3)]
    with pytest.raises(ValueError, match=r"one source per clip \(3\)\. Received: 2"):
        next(train_batches(clips, config, 4, np.random.default_rng(0), sources=["a", "b"]))
