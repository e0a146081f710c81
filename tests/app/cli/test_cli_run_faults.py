"""`actionlens run` under faults, in a subprocess: SIGKILL mid-run, and a disk that fills up.

A full disk is stood in for by RLIMIT_FSIZE, a per-file size limit any user may set:
writes past it fail with EFBIG exactly where a full disk fails with ENOSPC.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from app.outputs.event_log import read_segments
from tests.app.cli.test_cli_run import frame_count
from tests.engine_fixtures import tiny_bundle_fixture, wait_for, write_clip  # noqa: F401 (fixture)
from tests.paths import REPO
from tests.process_helpers import reaped, sigkill, whole_json_lines

FPS = 30.0
# Frames of the annotated video a kill may cost: the writer's queue (1 s), the frame being
# encoded, and the open MP4 fragment (1 s); see app/outputs/writer.py and encoder.py.
MAY_LOSE = 2 * int(FPS) + 1

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and RLIMIT_FSIZE are POSIX")]


def start_run(args: list[str], file_size_limit: int | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "app", "run", *map(str, args)]
    if file_size_limit is not None:
        # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG instead of killing.
        setup = ("import os, resource, sys; "
                 f"resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size_limit}, {file_size_limit})); "
                 "os.execv(sys.executable, sys.argv[1:])")
        command = [sys.executable, "-c", setup, *command]
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lines_in(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def test_sigkill_mid_run_leaves_a_playable_video_and_whole_logs(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "long.avi", 300, fps=FPS)  # 10 s at its own speed
    out, events, segments = tmp_path / "x.mp4", tmp_path / "x.jsonl", tmp_path / "x.csv"
    proc = start_run(["--source", clip, "--model", tiny_bundle, "--out", out, "--events", events,
                      "--segments", segments])
    with reaped(proc):
        started = wait_for(lambda: lines_in(events) >= 100 or proc.poll() is not None,
                           timeout=120, interval=0.05)
        assert started and proc.poll() is None, proc.communicate(timeout=30)
        sigkill(proc)
    lines = whole_json_lines(events)
    last = lines[-1]["frame"]
    assert [e["frame"] for e in lines] == list(range(lines[0]["frame"], last + 1))
    playable = frame_count(out)
    assert last + 1 - MAY_LOSE <= playable < 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no torn line either
        assert all(s.frames > 0 for s in read_segments(segments))


def test_full_disk_stops_the_recording_and_classifying_goes_on(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "clip.avi", 150, fps=FPS)
    out, events = tmp_path / "x.mp4", tmp_path / "x.jsonl"
    # The events (~30 kB) fit, and one of the video's one-second fragments (noise scaled to 480 p, about
    # 380 kB each, written whole) but not two: the recording stops after its first fragment.
    limit = 600_000
    proc = start_run(["--source", clip, "--model", tiny_bundle, "--fast", "--out", out,
                      "--events", events], file_size_limit=limit)
    with reaped(proc):
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    said = [line for line in stderr.splitlines() if "stopped after" in line]
    assert len(said) == 1, stderr
    assert f"Recording to {out} stopped after" in said[0] and "File too large" in said[0]
    assert said[0].endswith("Processing goes on without it.")
    assert [e["frame"] for e in map(json.loads, events.read_text().splitlines())][-1] == 149
    assert "frames        150" in stdout
    assert 0 < frame_count(out) < 150
    assert out.stat().st_size <= limit
