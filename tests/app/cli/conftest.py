"""Training fixtures shared by the train and train-predictor command tests: one full run per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import model.train.classifier
from tests.app.cli.train_helpers import TINY, TrainSpy, add_rows
from tests.cli_helpers import run
from tests.video_fixtures import make_motion_dataset, truncate, write_motion_clip


@pytest.fixture(scope="session")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clip_cache")


@pytest.fixture(scope="session")
def data(tmp_path_factory) -> Path:
    """3 classes (up, down, right) x 2 groups x 1 clip of 30 frames at 25 fps."""
    return make_motion_dataset(tmp_path_factory.mktemp("data"), clips_per_group=1)


@pytest.fixture(scope="session")
def full_data(tmp_path_factory) -> Path:
    """3 classes x 3 groups, plus an undecodable and a truncated file that must be skipped."""
    root = make_motion_dataset(tmp_path_factory.mktemp("full"), groups=("g1", "g2", "g3"), clips_per_group=1)
    (root / "up" / "g1_bad.avi").write_bytes(b"not a video at all" * 50)
    truncate(write_motion_clip(root / "down" / "g2_cut.avi", "down", n_frames=40), keep=0.4)
    add_rows(root, [("up/g1_bad.avi", "up", "g1"), ("down/g2_cut.avi", "down", "g2")])
    return root


@pytest.fixture(scope="session")
def full_run(tmp_path_factory, full_data, cache) -> dict:
    """One run with everything on: cross-validation, a held-out group, notes, skipped files."""
    tmp = tmp_path_factory.mktemp("full_run")
    notes = tmp / "notes.md"
    notes.write_text("## Data\n\nSynthetic squares; says nothing about people.\n")
    spy = TrainSpy()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(model.train.classifier, "train_classifier", spy)
        code, out, err = run("train", "--data", full_data, "--out", tmp / "bundle", *TINY, "--cv",
                             "--holdout-groups", "g3", "--symmetric", "up", "down",
                             "--card-notes", notes, "--cache", cache)
    assert code == 0, err
    bundle = tmp / "bundle"
    return {"out": out, "err": err, "bundle": bundle, "calls": spy.calls,
            "metrics": json.loads((bundle / "metrics.json").read_text()),
            "card": (bundle / "MODEL_CARD.md").read_text()}
