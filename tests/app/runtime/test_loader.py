"""Loading a bundle: the model info a `--loso` bundle carries for the settings panel."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from app.runtime.loader import build_processor
from app.settings import EngineSettings
from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.eval.fold_probs import FOLD_PROBS_FILE, save_fold_probs, threshold_curve
from model.eval.open_set import THRESHOLDS
from tests.engine_fixtures import tiny_bundle_fixture  # noqa: F401 (fixture)


def _fold():
    config = ModelConfig(labels=("idle", "wave", "other"), background_label="other")
    records = [ClipRecord(Path("w.avi"), "wave", "g1", "room"), ClipRecord(Path("b.avi"), "boxing", "g2", "room")]
    # The wave is at 0.7 and the boxing shows wave at 0.5: only thresholds up to 0.5 name both.
    probs = np.array([[0.1, 0.7, 0.2], [0.1, 0.7, 0.2], [0.2, 0.5, 0.3], [0.2, 0.5, 0.3]], np.float32)
    return probs, np.array([0, 0, 1, 1]), records, config


def test_a_loso_bundle_brings_its_held_out_curve_and_a_broken_file_costs_only_that(tiny_bundle, tmp_path):
    bundle = shutil.copytree(tiny_bundle, tmp_path / "bundle")
    _, info, _ = build_processor(bundle, EngineSettings(predictor_every=0))
    assert info["held_out_curve"] == [] and info["held_out_pooled"] is None  # trained without --loso
    save_fold_probs(bundle / FOLD_PROBS_FILE, ["room"], [_fold()])
    _, info, _ = build_processor(bundle, EngineSettings(predictor_every=0))
    curve = info["held_out_curve"]
    assert curve == threshold_curve([_fold()])
    assert [p["threshold"] for p in curve] == [float(t) for t in THRESHOLDS]
    at = {round(p["threshold"], 2): p for p in curve}
    assert at[0.5]["known_clip_accuracy"] == 1.0 and at[0.5]["false_alarm_rate"] == 1.0
    assert at[0.75]["known_clip_accuracy"] == 0.0 and at[0.75]["false_alarm_rate"] == 0.0
    (bundle / FOLD_PROBS_FILE).write_bytes(b"damaged")
    _, info, _ = build_processor(bundle, EngineSettings(predictor_every=0))
    assert info["held_out_curve"] == [] and info["labels"]
