"""Teaching a bundle new classes: windows, balance, folds, the embedding cache, and a round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.bundle import BundleError, load_bundle, save_bundle
from model.data.manifests import ClipRecord
from model.errors import DatasetError
from model.eval.estimate import session_folds
from model.train.embed import ClipEmbedder, EmbeddedClip, encoder_inputs
from model.train.head import cut_windows, training_set, window_steps
from model.train.transfer import TransferSettings, load_base, teach
from model.train.transfer_data import usable_clips
from tests.transfer_helpers import TINY_BASE, make_tiny_base

FAST = TransferSettings(epochs=3, estimate_epochs=2, idle_windows=4, batch=16, views=2)
STEPS = {"up": (0, -1), "right": (1, 0), "down": (0, 1)}


def _clip(label: str, n: int = 12, start: int = 0) -> np.ndarray:
    """uint8 (n, 16, 16, 1): a bright square moving as `STEPS[label]` says, wrapping around."""
    dx, dy = STEPS[label]
    frames = np.full((n, 16, 16, 1), 40, np.uint8)
    for i in range(n):
        x, y = (4 + start + 2 * i * dx) % 12, (4 + start + 2 * i * dy) % 12
        frames[i, y : y + 4, x : x + 4] = 230
    return frames


def _clips(labels=("up", "right"), per_class: int = 3, n: int = 12):
    return [(ClipRecord(Path(f"{label}/{k}.mp4"), label, f"{label}{k}"), _clip(label, n, k))
            for label in labels for k in range(per_class)]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return load_base(make_tiny_base(tmp_path_factory.mktemp("base") / "bundle"))


def test_cut_windows_ends_at_the_last_embedding_and_skips_short_sequences():
    seq = np.arange(10 * 2, dtype=np.float32).reshape(10, 2)
    w = cut_windows(seq, 3, 3)
    assert w.shape == (4, 3, 2)
    assert [int(x[0, 0]) for x in w] == [0, 6, 12, 14]  # starts 0, 3, 6 and the one ending at 9
    assert cut_windows(seq[:2], 3, 1).shape == (0, 3, 2)


def test_training_set_gives_every_class_the_same_total_weight():
    config = TINY_BASE.replace(labels=("idle", "up", "right"))
    clips = [EmbeddedClip(ClipRecord(Path("a"), "up", "g"), [np.zeros((20, 8), np.float32)]),
             EmbeddedClip(ClipRecord(Path("b"), "right", "g"), [np.zeros((5, 8), np.float32)])]
    x, y, w = training_set(clips, {"idle": np.zeros((7, 3, 8), np.float32)}, config, stride=1)
    assert x.shape[1:] == (window_steps(config), 8)
    totals = [w[y == k].sum() for k in range(3)]
    np.testing.assert_allclose(totals, totals[0], rtol=1e-5)


def test_session_folds_hold_out_sessions_or_single_clips():
    rec = [ClipRecord(Path(f"{i}"), "a", g) for i, g in enumerate(["s1", "s1", "s2", "s3"])]
    method, folds = session_folds(rec, 20)
    assert method == "leave-one-session-out" and folds == [[0, 1], [2], [3]]
    method, folds = session_folds([ClipRecord(Path(f"{i}"), "a", f"c{i}") for i in range(5)], 2)
    assert method.startswith("leave-one-clip-out") and sorted(map(len, folds)) == [2, 3]
    method, folds = session_folds([ClipRecord(Path(f"{i}"), "a", "one") for i in range(3)], 20)
    assert method == "leave-one-clip-out" and folds == [[0], [1], [2]]


def test_embeddings_are_cached_by_content_and_encoder(base, tmp_path, keras):
    bundle, encoder = base
    embedder = ClipEmbedder(encoder, bundle.config, tmp_path)
    clip = _clip("up")
    first = embedder.embed_clip(clip)
    assert first.shape == (len(clip) - 1, bundle.config.embed_dim)
    np.testing.assert_array_equal(ClipEmbedder(encoder, bundle.config, tmp_path).embed_clip(clip), first)
    again = ClipEmbedder(encoder, bundle.config, tmp_path)
    again.embed_clip(clip)
    again.embed_clip(clip, mirror=True)
    assert (again.hits, again.misses) == (1, 1)
    direct = np.asarray(encoder.predict_on_batch(encoder_inputs(clip, bundle.config)))
    np.testing.assert_allclose(first, direct, atol=1e-6)


def test_taught_bundle_is_the_full_model_and_agrees_with_the_cached_path(base, tmp_path):
    bundle, encoder = base
    result = teach(base, _clips(), FAST)
    assert result.config.labels == ("idle", "right", "up")
    assert result.config.frames == bundle.config.frames and result.config.motion
    assert result.counts == {"right": 3, "up": 3} and result.background is None
    assert result.estimate["method"] == "leave-one-clip-out" and result.estimate["clips"] == 6
    save_bundle(tmp_path / "taught", result.config, result.classifier)
    loaded = load_bundle(tmp_path / "taught")  # safe mode
    window = _clip("up")[: result.config.frames]
    full = loaded.classifier.predict_on_batch(window[None].astype(np.float32) / 255.0)[0]
    emb = ClipEmbedder(encoder, bundle.config).embed_clip(window)
    head = result.classifier.get_layer("temporal_head").predict_on_batch(emb[None])[0]
    np.testing.assert_allclose(full, head, atol=1e-5)


def test_nothing_clips_become_the_background_class_with_a_calibrated_threshold(base):
    clips = _clips(("up", "right", "down"))
    clips = [(ClipRecord(r.path, "nothing" if r.label == "down" else r.label, r.group), c) for r, c in clips]
    result = teach(base, clips, FAST)
    assert result.config.background_label == "other" and result.config.labels[-1] == "other"
    assert result.counts["other"] == 3
    assert result.background is not None and result.background.dtype == np.float16
    assert result.background.shape[1:] == (window_steps(result.config), base[0].config.embed_dim)


def test_base_background_embeddings_train_the_background_class(tmp_path):
    folder = make_tiny_base(tmp_path / "bg", background=True)
    result = teach(load_base(folder), _clips(), FAST)
    assert result.config.background_label == "other" and "other" not in result.counts
    assert len(result.background) == 12  # the base's windows are carried into the new bundle


def test_short_clips_are_skipped_and_a_class_of_only_short_clips_is_refused():
    config = TINY_BASE
    clips = _clips() + [(ClipRecord(Path("up/short.mp4"), "up", "s"), _clip("up", 2))]
    kept, warnings = usable_clips(clips, config, "other")
    assert len(kept) == 6 and "up/short.mp4" in warnings[0] and "shorter than one model window" in warnings[0]
    only_short = [(r, c[:2]) if r.label == "up" else (r, c) for r, c in _clips()]
    with pytest.raises(DatasetError, match=r"No clip of `up` is as long as one model window .*Received: 3"):
        usable_clips(only_short, config, "other")
    with pytest.raises(DatasetError, match="at least 2 classes"):
        usable_clips(_clips(("up",)), config, "other")


def test_thin_classes_are_named_in_a_warning():
    _, warnings = usable_clips(_clips(per_class=2), TINY_BASE, "other")
    assert any("Only 2 clips of `up`" in w for w in warnings)


def test_a_bundle_without_a_per_frame_encoder_is_refused(tmp_path):
    folder = make_tiny_base(tmp_path / "convlstm", arch="convlstm")
    with pytest.raises(BundleError, match="no per-frame encoder to reuse"):
        load_base(folder)
