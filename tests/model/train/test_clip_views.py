"""Augmented views of whole clips for `train --from`: speed, mirroring, determinism, and the cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.data.augment import NO_AUGMENT
from model.train.clip_views import augmented_view, augmented_views
from tests.model.train.test_transfer import FAST, _clip, _clips, base  # noqa: F401 (base is a fixture)


def _left_bright(n: int = 20) -> np.ndarray:
    clip = np.zeros((n, 16, 16, 1), np.uint8)
    clip[:, :, :4] = 200
    clip[:, 0, 0] = np.arange(n, dtype=np.uint8)[:, None]  # a frame counter, to see the speed
    return clip


@pytest.mark.parametrize(("step", "length"), [(2.0, 10), (0.5, 39), (1.0, 20)])
def test_a_view_plays_the_whole_clip_faster_or_slower(step, length):
    params = dataclasses.replace(NO_AUGMENT, speed_range=(step, step))
    view = augmented_view(_left_bright(), np.random.default_rng(0), symmetric=False, params=params)
    assert view.shape == (length, 16, 16, 1) and view.dtype == np.uint8
    counter = view[:, 0, 0, 0].astype(int)
    assert counter[0] == 0 and counter[-1] >= 18  # from the first frame to the last
    assert np.all(np.diff(counter) >= 0)


def test_only_symmetric_labels_are_mirrored():
    params = dataclasses.replace(NO_AUGMENT, flip_prob=1.0)
    clip = _left_bright()
    kept = augmented_view(clip, np.random.default_rng(0), symmetric=False, params=params)
    flipped = augmented_view(clip, np.random.default_rng(0), symmetric=True, params=params)
    np.testing.assert_array_equal(kept, clip)
    assert flipped[:, 8:, -4:].min() == 200 and flipped[:, 8:, :4].max() == 0


def test_views_depend_on_the_clip_and_seed_only():
    a, b = _clip("up", 20), _clip("right", 20)
    first = augmented_views(a, 3, symmetric=True, seed=1)
    assert len(first) == 3 and all(v.dtype == np.uint8 and v.shape[1:] == a.shape[1:] for v in first)
    # Retraining with one more clip must find the same views' embeddings in the cache.
    augmented_views(b, 3, symmetric=True, seed=1)
    again = augmented_views(a, 3, symmetric=True, seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(first, again, strict=True))
    other_seed = augmented_views(a, 3, symmetric=True, seed=2)
    assert not all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(first, other_seed, strict=True))
    assert augmented_views(a, 0, symmetric=True, seed=1) == []


def test_teach_embeds_each_clip_its_mirror_and_its_views_once(base, tmp_path):  # noqa: F811
    from model.train.transfer import teach

    teach(base, _clips(), FAST, cache_dir=tmp_path)
    stored = list((tmp_path / "embeddings").glob("*.npy"))
    # Each clip as itself, mirrored (every label is symmetric by default) and in 2 views; entries are
    # keyed by content, so a clip that is its own mirror image is stored once.
    distinct = {(v.shape, v.tobytes()) for _, c in _clips()
                for v in [c, c[:, :, ::-1], *augmented_views(c, FAST.views, symmetric=True, seed=FAST.seed)]}
    assert len(distinct) >= 6 * 3
    assert len(stored) == len(distinct)
    again = teach(base, _clips(), FAST, cache_dir=tmp_path)
    assert len(list((tmp_path / "embeddings").glob("*.npy"))) == len(stored)
    assert again.counts == {"right": 3, "up": 3}
