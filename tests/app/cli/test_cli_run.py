"""Tests for `actionlens run` (app/cli/run.py through app/cli/main.py): outputs, user errors, SIGTERM."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest

from app.cli.main import main
from app.results import Result
from tests.engine_fixtures import (  # noqa: F401 (fixtures)
    auto_device_label,
    engine_threads,
    tiny_bundle_fixture,
    wait_for,
    write_clip,
)
from tests.paths import REPO
from tests.process_helpers import reaped, whole_json_lines

ROOT = REPO
EVENT_KEYS = set(Result(0, 0.0, "x", 0.0, [], [], ()).to_json())
assert EVENT_KEYS == {"frame", "time", "label", "confidence", "probs", "surprise",
                      "latency_ms", "inference_ms", "device", "count"}


@pytest.fixture(autouse=True)
def no_threads_left():
    yield
    assert wait_for(lambda: not engine_threads(include_loader=True), timeout=5.0), engine_threads(True)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """30 frames at 10 fps: the tiny model's first 6-step window is full at frame 5."""
    return write_clip(tmp_path_factory.mktemp("run") / "clip.avi", 30, fps=10.0)


def frame_count(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), f"{path} does not open"
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("actionlens: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_run_writes_video_events_segments_and_a_summary(clip, tiny_bundle, tmp_path, capfd):
    out, events, segments = tmp_path / "x.mp4", tmp_path / "x.jsonl", tmp_path / "x.csv"
    rc = main(["run", "--source", str(clip), "--model", str(tiny_bundle), "--fast",
               "--out", str(out), "--events", str(events), "--segments", str(segments)])
    stdout, stderr = capfd.readouterr()
    assert rc == 0, stderr
    assert frame_count(out) == 30
    assert not list(tmp_path.glob(".*partial*"))

    lines = whole_json_lines(events)
    assert [e["frame"] for e in lines] == list(range(5, 30))  # every frame with a result
    for event in lines:
        assert EVENT_KEYS <= set(event) <= EVENT_KEYS | {"pending"}
        assert set(event["probs"]) == {"idle", "wave", "walk"}
        assert event["device"] == auto_device_label()
        assert event["time"] == pytest.approx(event["frame"] / 10.0, abs=1e-3)
    assert any(e["surprise"] is not None for e in lines)

    with segments.open(newline="") as f:
        rows = list(csv.reader(f))
    # person: several people only; count: repetitions (a pixel model's segments count none)
    assert rows[0] == ["start", "end", "label", "mean_confidence", "frames", "person", "count"]
    # Every frame with a decision is in one segment; "" (before the first decision) in none.
    assert sum(int(r[4]) for r in rows[1:]) == sum(1 for e in lines if e["label"]) > 0
    assert "" not in [r[2] for r in rows[1:]]

    assert "frames        30 (25 with predictions)" in stdout
    for key in ("fps ", "latency ms    p50", "p99", "dropped       0", "labels        "):
        assert key in stdout
    assert "Traceback" not in stderr
    assert "\r" not in stderr  # not a terminal: no redrawn progress bar in the log


def test_gpu_request_falls_back_with_a_notice(clip, tiny_bundle, tmp_path, capfd):
    from model.backend import describe_devices

    if describe_devices()["gpus"]:
        pytest.skip("this machine has a GPU; the fallback is for machines without one")
    events = tmp_path / "gpu.jsonl"
    rc = main(["run", "--source", str(clip), "--model", str(tiny_bundle), "--fast",
               "--device", "gpu", "--events", str(events)])
    stdout, stderr = capfd.readouterr()
    assert rc == 0, stderr
    assert "actionlens: No GPU found; running on the CPU." in stderr.splitlines()
    assert {e["device"] for e in whole_json_lines(events)} == {"CPU"}
    assert "device        CPU" in stdout


def test_window_and_stride_options(clip, tiny_bundle, tmp_path, capfd):
    events = tmp_path / "w.jsonl"
    rc = main(["run", "--source", str(clip), "--model", str(tiny_bundle), "--fast",
               "--window", "4", "--stride", "2", "--events", str(events)])
    assert rc == 0, capfd.readouterr().err
    lines = whole_json_lines(events)
    assert lines[0]["frame"] == 3  # a 4-step window at 10 fps
    assert len(lines) == 27


@pytest.fixture(scope="module")
def bad_sources(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("bad")
    (root / "empty.avi").write_bytes(b"")
    (root / "notes.avi").write_text("this is not a video\n" * 20)
    return {
        "missing": str(root / "missing.avi"),
        "empty": str(root / "empty.avi"),
        "not_video": str(root / "notes.avi"),
        "no_camera": "7",
    }


@pytest.mark.parametrize("kind, expected", [
    ("missing", "no such file"),
    ("empty", "empty (0 bytes)"),
    ("not_video", "not a video"),
    ("no_camera", "camera 7 not found"),
])
def test_bad_sources_exit_2_with_one_line(bad_sources, tiny_bundle, tmp_path, capfd, kind, expected):
    events = tmp_path / "e.jsonl"
    rc = main(["run", "--source", bad_sources[kind], "--model", str(tiny_bundle),
               "--events", str(events)])
    _, stderr = capfd.readouterr()
    assert rc == 2
    assert expected in one_error_line(stderr)
    assert not events.exists()


@pytest.mark.parametrize("flag, name, expected", [
    ("--out", "/nonexistent/dir/x.mp4", "/nonexistent/dir"),
    ("--events", "/nonexistent/dir/x.jsonl", "/nonexistent/dir"),
    ("--out", "x.mkv", "unknown video extension"),
    ("--segments", "x.txt", "use .csv or .json"),
])
def test_bad_outputs_fail_before_processing(clip, tiny_bundle, tmp_path, capfd, flag, name, expected):
    path = name if name.startswith("/") else str(tmp_path / name)
    events = tmp_path / "ok.jsonl"
    args = ["run", "--source", str(clip), "--model", str(tiny_bundle), flag, path]
    if flag != "--events":
        args += ["--events", str(events)]
    rc = main(args)
    _, stderr = capfd.readouterr()
    assert rc == 2
    assert expected in one_error_line(stderr)
    assert "model:" not in stderr  # failed before the model loaded, let alone a frame
    assert not events.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_model_folder_without_a_bundle(clip, tmp_path, capfd):
    out = tmp_path / "x.mp4"
    rc = main(["run", "--source", str(clip), "--model", str(tmp_path), "--out", str(out)])
    _, stderr = capfd.readouterr()
    assert rc == 2
    line = one_error_line(stderr)
    assert str(tmp_path) in line and "classifier.keras" in line
    assert list(tmp_path.iterdir()) == []  # no empty video left behind


def test_sigterm_leaves_a_playable_video_and_complete_events(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "long.avi", 150, fps=30.0)  # 5 s when played in real time
    out, events = tmp_path / "x.mp4", tmp_path / "x.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--source", str(clip), "--model", str(tiny_bundle),
         "--out", str(out), "--events", str(events)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    with reaped(proc):
        started = wait_for(lambda: events.exists() and events.read_text().count("\n") >= 3
                           or proc.poll() is not None, timeout=90, interval=0.05)
        assert started and proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "stopped early; outputs finalised" in stdout
    lines = whole_json_lines(events)
    assert len(lines) >= 3
    frames = frame_count(out)
    assert 0 < frames < 150
    assert not (tmp_path / ".x.partial.mp4").exists()


def test_sigterm_handler_is_restored(clip, tiny_bundle, capfd):
    before = signal.getsignal(signal.SIGTERM)
    assert main(["run", "--source", str(clip), "--model", str(tiny_bundle), "--fast"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    time.sleep(0)  # nothing else to wait for: no thread may be left (checked by the fixture)


def test_events_to_stdout_are_pure_json_lines_and_the_summary_goes_to_stderr(clip, tiny_bundle):
    proc = subprocess.run([sys.executable, "-m", "app", "run", "--source", str(clip), "--fast",
                           "--model", str(tiny_bundle), "--events", "/dev/stdout"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-1500:]
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith("{") for line in lines)
    # One event per frame with a prediction, as the summary (now on stderr) counts them.
    assert f"frames        30 ({len(lines)} with predictions)" in proc.stderr
    assert "wrote         /dev/stdout" in proc.stderr


@pytest.mark.parametrize("option, value", [("--window", "0"), ("--stride", "-3"), ("--max-frames", "0"),
                                           ("--window", "two")])
def test_a_window_stride_or_frame_count_below_one_is_refused(option, value, clip, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--source", str(clip), option, value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}:" in err and "Traceback" not in err


def test_a_window_the_model_cannot_take_is_said_and_clamped(clip, tiny_bundle, capsys):
    assert main(["run", "--source", str(clip), "--fast", "--model", str(tiny_bundle), "--window", "1000"]) == 0
    err = capsys.readouterr().err
    assert "--window 1000 is outside what this model takes (4 to 12 steps); using 12." in err
