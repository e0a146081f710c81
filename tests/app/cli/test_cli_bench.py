"""Tests for `actionlens bench` (app/cli/bench.py): the figures exist and are numbers."""

from __future__ import annotations

import json
import math
import re

import pytest

from app.cli.main import main
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    auto_device_label,
    engine_threads,
    tiny_bundle_fixture,
    wait_for,
    write_clip,
)

NUMBERS = ("engine_ms_per_frame", "latency_ms_p50", "latency_ms_p99", "dropped_frames",
           "next_frame_ms", "preview_hz", "peak_rss_mb", "frames_held_mb")
KERAS_ONLY = ("naive_predict_ms", "speedup")


@pytest.fixture(autouse=True)
def no_threads_left():
    yield
    assert wait_for(lambda: not engine_threads(include_loader=True), timeout=5.0), engine_threads(True)


@pytest.mark.parametrize("runtime, name", [("litert", "LiteRT"), ("keras", "Keras")])
def test_bench_writes_every_figure(runtime, name, tiny_bundle, tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "--model", str(tiny_bundle), "--runtime", runtime, "--json", str(out),
                 "--frames", "60"]) == 0
    figures = json.loads(out.read_text())
    for key in NUMBERS + (KERAS_ONLY if runtime == "keras" else ()):
        value = figures[key]
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value) and value >= 0, (key, value)
    if runtime == "litert":
        assert all(figures[key] is None for key in KERAS_ONLY)  # no Keras here to compare with
    assert figures["runtime"] == name
    assert figures["device"] == (auto_device_label() if runtime == "keras" else "CPU")
    assert figures["live_frames_shown"] >= 60
    assert figures["live_frames_classified"] > 0
    assert figures["preview_hz"] > 0  # the tiny bundle has a predictor: previews arrived
    # Peak and sampled memory are in the same unit: the peak is never below a sample.
    assert figures["peak_rss_mb"] >= figures["rss_mb_start"] * 0.99
    stdout = capsys.readouterr().out
    assert "engine_ms_per_frame" in stdout and f"wrote {out}" in stdout


@pytest.mark.slow
def test_bench_puts_both_runtimes_side_by_side(tiny_bundle, tmp_path, capsys):
    out = tmp_path / "both.json"
    clip = write_clip(tmp_path / "start.avi", n=45)  # 1.5 s at its own pace, not the demo's 15
    assert main(["bench", "--model", str(tiny_bundle), "--json", str(out), "--frames", "30",
                 "--clip", str(clip)]) == 0
    figures = json.loads(out.read_text())
    lite, keras = figures["litert"], figures["keras"]
    assert (lite["runtime"], keras["runtime"]) == ("LiteRT", "Keras")
    for side in (lite, keras):
        # `actionlens run` on the demo clip, launch to the first labelled event line.
        assert 0 < side["first_label_s"] < 120 and side["run_peak_rss_mb"] > 0
        assert side["dropped_frames"] >= 0 and side["latency_ms_p99"] > 0
    # The point of LiteRT: no TensorFlow in memory (hundreds of MB), in the app as in bench.
    assert lite["run_peak_rss_mb"] < keras["run_peak_rss_mb"] - 200
    assert lite["peak_rss_mb"] < keras["peak_rss_mb"] - 200
    table = capsys.readouterr().out
    assert re.search(r"^\s+LiteRT\s+Keras$", table, re.M) and "first_label_s" in table


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
