"""The light runtime: `run` and the GUI import no TensorFlow and no Keras, and LiteRT gives the
labels Keras gives, frame for frame, on the demo clip and on real clips of people."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from app.capture.paced_camera import load_frames
from app.frames import Frame
from app.runtime.loader import build_processor
from app.settings import EngineSettings
from tests.engine_fixtures import tiny_bundle_fixture, write_clip  # noqa: F401 (fixture)
from tests.model.pose.conftest import DEMO_CLIP, pose_paths  # noqa: F401 (fixture)
from tests.paths import REPO, SHARED_DATA

HEAVY = ("tensorflow", "keras", "jax", "torch")


def _heavy_modules_after(code: str, tmp_path, **env) -> tuple[list[str], str]:
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import sys
        print("HEAVY", sorted(m for m in {HEAVY!r} if m in sys.modules))
        """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path), **env})
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("HEAVY")][-1]
    return json.loads(line[len("HEAVY "):].replace("'", '"')), proc.stderr


def test_run_imports_no_tensorflow(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "clip.avi", n=30)
    events = tmp_path / "events.jsonl"
    heavy, stderr = _heavy_modules_after(f"""
        from app.cli.main import main
        assert main(["run", "--source", {str(clip)!r}, "--model", {str(tiny_bundle)!r},
                     "--fast", "--events", {str(events)!r}]) == 0
        """, tmp_path)
    assert heavy == []
    assert "with LiteRT" in stderr
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    assert lines and any(e.get("label") for e in lines)


def test_the_gui_imports_no_tensorflow(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "clip.avi", n=60)
    shot = tmp_path / "shot.png"
    heavy, _ = _heavy_modules_after(f"""
        from app.cli.main import main
        assert main(["--source", {str(clip)!r}, "--model", {str(tiny_bundle)!r},
                     "--snapshot", {str(shot)!r}, "--snapshot-after-frames", "5"]) == 0
        """, tmp_path, QT_QPA_PLATFORM="offscreen")
    assert heavy == [] and shot.stat().st_size > 0


def test_keras_by_hand_still_runs(tiny_bundle, tmp_path):
    clip = write_clip(tmp_path / "clip.avi", n=30)
    heavy, stderr = _heavy_modules_after(f"""
        from app.cli.main import main
        assert main(["run", "--source", {str(clip)!r}, "--model", {str(tiny_bundle)!r},
                     "--fast", "--runtime", "keras"]) == 0
        """, tmp_path)
    assert "keras" in heavy and "with Keras" in stderr


def _labels(path, runtime, frames):
    processor, info, _ = build_processor(path, EngineSettings(predictor_every=0), runtime_request=runtime)
    assert info["runtime"] == {"litert": "LiteRT", "keras": "Keras"}[runtime]
    out = []
    for i, image in enumerate(frames):
        result = processor.process(Frame(image, i, i / 30.0, 0.0))
        out.append(None if result is None else (result.label, result.raw_probs))
    return out


def _same_on(frames, default_model):
    lite, keras = _labels(default_model, "litert", frames), _labels(default_model, "keras", frames)
    assert len(lite) == len(keras) and sum(r is not None for r in lite) >= 10
    for a, b in zip(lite, keras, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert a[0] == b[0]
            np.testing.assert_allclose(a[1], b[1], atol=1e-4)
    return [a[0] for a in lite if a is not None]


@pytest.mark.slow
def test_same_labels_from_both_runtimes_on_the_demo_clip(pose_paths, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(pose_paths["detector"].parent))
    labels = _same_on(load_frames(str(DEMO_CLIP), 150), REPO / "assets" / "models" / "default")
    assert len(set(labels)) > 1  # the clip holds more than one action: the test compares something


@pytest.mark.slow
@pytest.mark.shared
def test_same_labels_from_both_runtimes_on_a_real_clip(pose_paths, monkeypatch):  # noqa: F811
    clip = SHARED_DATA / "actions" / "ud810" / "wave_one_hand" / "PS7A2P2T1.avi"
    if not clip.is_file():
        pytest.skip(f"needs ../shared/data ({clip} is not here)")
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(pose_paths["detector"].parent))
    _same_on(load_frames(str(clip), 120), REPO / "assets" / "models" / "default")
