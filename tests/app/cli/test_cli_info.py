"""Tests for `actionlens info` (app/cli/info.py): one fact per line, never a crash."""

from __future__ import annotations

from app.cli.main import main


def test_info_prints_versions_backend_devices_and_default_model(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        key, _, value = line.partition("  ")
        rows[key.strip()] = value.strip()
    for key in ("python", "numpy", "opencv", "keras", "backend", "devices", "litert", "default model",
                "demo clip"):
        assert rows.get(key), f"no {key!r} line in:\n{out}"
    assert rows["backend"] == "tensorflow"
    from model.backend import describe_devices

    if not describe_devices()["gpus"]:
        assert rows["devices"] == "CPU only"
    # Before a model is trained and shipped, the default model is reported, not fatal.
    model = rows["default model"]
    assert model.startswith("unavailable: ") or "classes" in model


def test_info_says_where_the_pose_models_are_or_how_to_fetch_them(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(tmp_path))
    assert main(["info"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("pose models"))
    assert "not fetched yet (`actionlens fetch-pose`)" in line
    assert line.endswith(("run with LiteRT", "run with TensorFlow Lite"))


def test_info_says_which_runtime_the_app_uses_and_whether_the_bundle_carries_its_files(capsys):
    from app.runtime.runtime_choice import cuda_gpu_present

    assert main(["info"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("app runtime"))
    assert ("Keras (a CUDA GPU" in line) if cuda_gpu_present() else ("LiteRT (no CUDA GPU" in line)
    assert line.endswith("LiteRT files: current")  # the shipped bundle carries them
