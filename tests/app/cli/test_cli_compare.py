"""`actionlens compare`: every architecture on the same held-out groups, stored in a bundle's card."""

from __future__ import annotations

import json

from model.bundle import load_bundle
from tests.cli_helpers import run, user_error
from tests.video_fixtures import make_motion_dataset

TINY = ["--size", "16", "--frames", "4", "--epochs", "1", "--steps", "2", "--batch", "4"]


def test_compare_trains_each_architecture_on_the_same_splits(tmp_path):
    data = make_motion_dataset(tmp_path / "data", groups=("g1", "g2"), clips_per_group=1)
    cache = ["--cache", str(tmp_path / "cache")]
    code, _, err = run("train", "--data", data, "--out", tmp_path / "bundle", *TINY, *cache)
    assert code == 0, err
    code, out, err = run("compare", "--data", data, "--holdout-groups", "g1", *TINY, *cache,
                         "--json", tmp_path / "rows.json", "--into", tmp_path / "bundle")
    assert code == 0, err
    rows = json.loads((tmp_path / "rows.json").read_text())
    assert [r["arch"] for r in rows] == ["cnn_lstm", "convlstm", "renet"]
    for row in rows:
        assert row["splits"] == ["g1"] and row["params"] > 0 and row["ms_per_frame"] > 0
        assert 0.0 <= row["clip_accuracy"] <= 1.0 and 0.0 <= row["window_accuracy"] <= 1.0
    assert "convlstm" in out and "ms/frame" in out
    bundle = load_bundle(tmp_path / "bundle")
    assert [r["arch"] for r in bundle.metrics["architectures"]] == ["cnn_lstm", "convlstm", "renet"]
    card = (tmp_path / "bundle" / "MODEL_CARD.md").read_text()
    assert "Architectures on the same splits" in card and "`renet`" in card and "held out: g1" in card


def test_compare_refuses_an_unknown_group_before_training(tmp_path):
    data = make_motion_dataset(tmp_path / "data", groups=("g1", "g2"), clips_per_group=1)
    code, _, err = run("compare", "--data", data, "--holdout-groups", "nobody", *TINY)
    assert "nobody" in user_error(code, err)
