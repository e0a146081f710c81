"""Fetching the BlazePose models: the hash check, a wrong hash, no network, and the cache."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile

import pytest

from model.pose import fetch
from model.pose.fetch import (
    PoseModelFile,
    PoseModelsMissing,
    fetch_pose_models,
    require_pose_models,
)

_DET, _LM = b"detector bytes " * 10, b"landmark bytes " * 20


def _spec(name, wheel_path, data, digest=None):
    return PoseModelFile(name, wheel_path, len(data), digest or hashlib.sha256(data).hexdigest())


@pytest.fixture
def fake_specs(monkeypatch):
    """Specs of two small files instead of the real 9 MB ones, patched where fetch reads them."""
    det = _spec("pose_detection.tflite", fetch.DETECTOR.wheel_path, _DET)
    lm = _spec("pose_landmark_full.tflite", fetch.LANDMARKER.wheel_path, _LM)
    monkeypatch.setattr(fetch, "DETECTOR", det)
    monkeypatch.setattr(fetch, "LANDMARKER", lm)
    monkeypatch.setattr(fetch, "POSE_FILES", (det, lm))
    return det, lm


def _wheel_maker(contents: dict[str, bytes], calls: list, chunk: int = 0):
    """A fake download: builds the wheel, then writes it out `chunk` bytes at a time (0: at once),
    reporting each chunk as pip's progress would."""
    def download(dest, on_bytes=None):
        calls.append(dest)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for path, data in contents.items():
                zf.writestr(path, data)
        data = buffer.getvalue()
        wheel = dest / "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
        with open(wheel, "wb") as f:
            for start in range(0, len(data), chunk or len(data)):
                f.write(data[start:start + (chunk or len(data))])
                if on_bytes is not None:
                    on_bytes(f.tell(), len(data))
        return wheel
    return download


def test_fetch_extracts_checks_and_caches_once(tmp_path, fake_specs):
    det, lm = fake_specs
    calls, lines = [], []
    download = _wheel_maker({det.wheel_path: _DET, lm.wheel_path: _LM, "mediapipe/other.py": b""}, calls)
    paths = fetch_pose_models(tmp_path, download=download, progress=lines.append)
    assert paths["detector"].read_bytes() == _DET and paths["landmarker"].read_bytes() == _LM
    assert len(calls) == 1 and any("fetching" in x for x in lines)
    # Cached: no second download.
    assert fetch_pose_models(tmp_path, download=download) == paths
    assert len(calls) == 1
    assert require_pose_models(tmp_path) == paths


def test_a_wrong_hash_keeps_nothing(tmp_path, fake_specs):
    det, lm = fake_specs
    download = _wheel_maker({det.wheel_path: _DET, lm.wheel_path: b"tampered" * 37 + b"x" * 4}, [])
    with pytest.raises(PoseModelsMissing, match="SHA-256") as err:
        fetch_pose_models(tmp_path, download=download)
    assert "\n" not in str(err.value) and "actionlens fetch-pose" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_a_wheel_without_the_models_is_one_line(tmp_path, fake_specs):
    download = _wheel_maker({"mediapipe/__init__.py": b""}, [])
    with pytest.raises(PoseModelsMissing, match="not a mediapipe wheel"):
        fetch_pose_models(tmp_path, download=download)


def test_no_network_is_one_line_naming_the_command(tmp_path, monkeypatch):
    # pip itself, pointed at a closed port on this machine: the real failure a user without a network sees.
    for key in [k for k in os.environ if k.startswith("PIP_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_NO_INDEX", "0")
    with pytest.raises(PoseModelsMissing) as err:
        fetch_pose_models(tmp_path / "cache")
    text = str(err.value)
    assert "\n" not in text and "could not download mediapipe==0.10.21" in text
    assert "actionlens fetch-pose" in text


def test_missing_models_without_fetching(tmp_path):
    with pytest.raises(PoseModelsMissing, match="run `actionlens fetch-pose`"):
        require_pose_models(tmp_path)


def test_fetch_pose_command_without_network_prints_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL="http://127.0.0.1:9/simple",
               ACTIONLENS_POSE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "app", "fetch-pose"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 2
    lines = [x for x in proc.stderr.splitlines() if x.startswith("actionlens: error:")]
    assert len(lines) == 1 and "Traceback" not in proc.stderr


def test_the_download_reports_its_bytes_as_they_come(tmp_path, fake_specs):
    det, lm = fake_specs
    download = _wheel_maker({det.wheel_path: _DET, lm.wheel_path: _LM}, [], chunk=64)
    seen = []
    fetch_pose_models(tmp_path, download=download, on_bytes=lambda done, total: seen.append((done, total)))
    total = seen[-1][1]
    assert len(seen) == -(-total // 64) > 3  # every chunk, in order, up to the whole wheel
    assert [done for done, _ in seen] == sorted({done for done, _ in seen}) and seen[-1][0] == total
    assert {t for _, t in seen} == {total}


def test_pip_progress_lines_become_bytes_and_the_rest_stays_for_the_error(tmp_path):
    script = "print('Collecting mediapipe'); print('Progress 0 of 300'); print('Progress 150 of 300'); " \
             "print('Progress 300 of 300'); print('Saved x')"
    seen = []
    code, lines = fetch._run_pip([sys.executable, "-c", script], lambda d, t: seen.append((d, t)))
    assert code == 0 and seen == [(0, 300), (150, 300), (300, 300)]
    assert lines == ["Collecting mediapipe", "Saved x"]


def test_a_pip_without_raw_progress_still_downloads(tmp_path, monkeypatch):
    # pip before 24.1 refuses `--progress-bar raw`: the download goes on without bytes.
    calls = []

    def fake_pip(cmd, on_bytes):
        calls.append(cmd)
        if "raw" in cmd:
            return 2, ["ERROR: option --progress-bar: invalid choice: 'raw' (choose from 'off', 'on')"]
        (tmp_path / "mediapipe-0.10.21-py3-none-any.whl").write_bytes(b"x" * 10)
        return 0, []

    monkeypatch.setattr(fetch, "_run_pip", fake_pip)
    seen = []
    wheel = fetch.pip_download_wheel(tmp_path, lambda d, t: seen.append((d, t)))
    assert wheel.name.startswith("mediapipe-") and len(calls) == 2 and "-q" in calls[1]
    assert seen == [(10, 10)]  # the bar still ends full
