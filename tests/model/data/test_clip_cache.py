"""ClipCache: a second load skips decoding; the key follows content and preprocessing."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from model.config import ModelConfig
from model.data import clip_cache
from model.data import decoding as video_io
from model.data.clip_cache import ClipCache, content_digest, default_cache_dir
from model.data.loading import load_clip_frames, load_dataset
from model.data.manifests import ClipRecord
from tests.video_fixtures import write_clip


@pytest.fixture
def config() -> ModelConfig:
    return ModelConfig(labels=("idle", "wave"), frames=4, min_frames=2, size=16, fps=10.0)


@pytest.fixture
def decode_calls(monkeypatch) -> list:
    calls = []
    real = video_io.read_video

    def counting(path, **kwargs):
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(video_io, "read_video", counting)
    return calls


def test_second_load_reads_the_cache_instead_of_decoding(tmp_path, config, decode_calls):
    record = ClipRecord(write_clip(tmp_path / "c.avi", 20), "wave", "p1")
    cache = ClipCache(tmp_path / "cache")
    first = load_clip_frames(record, config, cache)
    second = load_clip_frames(record, config, cache)
    assert len(decode_calls) == 1
    assert (cache.misses, cache.hits) == (1, 1)
    np.testing.assert_array_equal(first, second)
    assert second.dtype == np.uint8
    # A fresh cache object on the same folder (a new training run) hits too.
    loaded, _ = load_dataset([record], config, ClipCache(tmp_path / "cache"), progress=False)
    assert len(decode_calls) == 1
    np.testing.assert_array_equal(loaded[0][1], first)


def test_key_changes_with_preprocessing_but_not_with_file_location(tmp_path, config):
    path = write_clip(tmp_path / "c.avi", 10)
    cache = ClipCache(tmp_path / "cache")
    key = cache.key(path, config)
    for change in ({"size": 32}, {"color": "rgb"}, {"fps": 5.0}, {"preprocessing": "other"}):
        assert cache.key(path, config.replace(**change)) != key, change
    # Labels and window length do not change the pixels, so they share entries.
    assert cache.key(path, config.replace(frames=8, max_frames=32)) == key
    copy = shutil.copy(path, tmp_path / "copy.avi")
    assert cache.key(copy, config) == key
    write_clip(copy, 11)
    assert cache.key(copy, config) != key


def test_key_changes_with_the_motion_crop_and_its_settings(tmp_path, config, monkeypatch):
    # Cropped frames depend on the crop's settings, not only on "motion": a cache keyed on the
    # mode alone served clips cropped the old way after the smallest crop changed.
    from model.crop import MotionCrop

    path = write_clip(tmp_path / "c.avi", 10)
    cache = ClipCache(tmp_path / "cache")
    plain, cropped = cache.key(path, config), cache.key(path, config.replace(crop="motion"))
    assert plain != cropped
    defaults = MotionCrop.__init__.__defaults__
    monkeypatch.setattr(MotionCrop.__init__, "__defaults__", (defaults[0], defaults[1], 0.5, *defaults[3:]))
    assert MotionCrop().min_side == 0.5
    assert cache.key(path, config.replace(crop="motion")) != cropped
    assert cache.key(path, config) == plain


def test_unreadable_entry_is_a_miss_and_gets_rewritten(tmp_path, config, decode_calls):
    record = ClipRecord(write_clip(tmp_path / "c.avi", 10), "wave", "p1")
    cache = ClipCache(tmp_path / "cache")
    load_clip_frames(record, config, cache)
    cache.entry_path(cache.key(record.path, config)).write_bytes(b"garbage")
    load_clip_frames(record, config, cache)
    load_clip_frames(record, config, cache)
    assert len(decode_calls) == 2
    assert list((tmp_path / "cache").glob("*.tmp.npz")) == []


def test_cache_dir_comes_from_argument_env_or_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIONLENS_CACHE", str(tmp_path / "env"))
    assert default_cache_dir() == tmp_path / "env"
    assert ClipCache().root == tmp_path / "env"
    assert ClipCache(tmp_path / "arg").root == tmp_path / "arg"
    monkeypatch.delenv("ACTIONLENS_CACHE")
    assert default_cache_dir().parts[-3:] == (".cache", "actionlens", "clips")


def test_large_files_hash_size_and_both_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(clip_cache, "_WHOLE_FILE_LIMIT", 100)
    monkeypatch.setattr(clip_cache, "_EDGE_BYTES", 10)
    path = tmp_path / "big.bin"
    data = bytearray(range(256)) * 2
    path.write_bytes(bytes(data))
    digest = content_digest(path)
    data[200] ^= 1  # the middle: not hashed, by design
    path.write_bytes(bytes(data))
    assert content_digest(path) == digest
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert content_digest(path) != digest
