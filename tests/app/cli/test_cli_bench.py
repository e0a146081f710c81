"""Tests for `actionlens bench` (app/cli/bench.py): the figures exist and are numbers."""

from __future__ import annotations

import json
import math

import pytest

from app.cli.main import main
from tests.engine_fixtures import auto_device_label, engine_threads, tiny_bundle_fixture, wait_for  # noqa: F401 (fixtures)

NUMBERS = ("naive_predict_ms", "engine_ms_per_frame", "speedup", "latency_ms_p50",
           "latency_ms_p99", "dropped_frames", "next_frame_ms", "preview_hz", "peak_rss_mb")


@pytest.fixture(autouse=True)
def no_threads_left():
    yield
    assert wait_for(lambda: not engine_threads(include_loader=True), timeout=5.0), engine_threads(True)


def test_bench_writes_every_figure(tiny_bundle, tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "--model", str(tiny_bundle), "--json", str(out), "--frames", "60"]) == 0
    figures = json.loads(out.read_text())
    for key in NUMBERS:
        value = figures[key]
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value) and value >= 0, (key, value)
    assert figures["device"] == auto_device_label()
    assert figures["live_frames_shown"] >= 60
    assert figures["live_frames_classified"] > 0
    assert figures["preview_hz"] > 0  # the tiny bundle has a predictor: previews arrived
    # Peak and sampled memory are in the same unit: the peak is never below a sample.
    assert figures["peak_rss_mb"] >= figures["rss_mb_start"] * 0.99
    stdout = capsys.readouterr().out
    assert "speedup" in stdout and f"wrote {out}" in stdout


def test_bench_unwritable_json_fails_before_measuring(tiny_bundle, capfd):
    assert main(["bench", "--model", str(tiny_bundle), "--json", "/nonexistent/dir/b.json"]) == 2
    captured = capfd.readouterr()
    assert captured.err.strip().startswith("actionlens: error: ")
    assert "/nonexistent/dir" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert "naive_predict_ms" not in captured.out


def test_bench_bad_model_is_one_line(tmp_path, capfd):
    assert main(["bench", "--model", str(tmp_path / "nope"), "--frames", "5"]) == 2
    err = capfd.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(tmp_path / "nope") in err
