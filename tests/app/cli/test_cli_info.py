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
    for key in ("python", "numpy", "opencv", "keras", "backend", "devices", "default model"):
        assert rows.get(key), f"no {key!r} line in:\n{out}"
    assert rows["backend"] == "tensorflow"
    from model.backend import describe_devices

    if not describe_devices()["gpus"]:
        assert rows["devices"] == "CPU only"
    # Before a model is trained and shipped, the default model is reported, not fatal.
    model = rows["default model"]
    assert model.startswith("unavailable: ") or "classes" in model
