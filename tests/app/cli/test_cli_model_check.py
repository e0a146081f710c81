"""`--model` is checked first, the same way for every command (app/cli/main.py): one line, exit 2.

The GUI answered a wrong folder three ways (no display without looking at it, a dialog, exit 1
with --snapshot); now the folder is read before a display, a source or a model is touched.
"""

from __future__ import annotations

import sys
import types

import pytest

from app.cli.main import main
from app.paths import DEFAULT_MODEL, DEMO_CLIP
from tests.cli_helpers import run, user_error


def _trap_command(monkeypatch, module_name: str) -> list:
    """Replaces a subcommand's module with one that records being run."""
    ran = []
    module = types.ModuleType(module_name)
    module.main = lambda args: ran.append(args) or 0
    monkeypatch.setitem(sys.modules, module_name, module)
    return ran


@pytest.fixture
def not_a_bundle(tmp_path):
    folder = tmp_path / "holiday_videos"
    folder.mkdir()
    return folder


def test_gui_without_a_display_names_the_folder_not_the_display(not_a_bundle, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    line = user_error(*run("gui", "--model", not_a_bundle)[::2])
    assert str(not_a_bundle) in line and "classifier.keras is missing" in line
    assert "no display" not in line


@pytest.mark.parametrize("extra", [[], ["--snapshot", "shot.png"]], ids=["window", "snapshot"])
def test_gui_with_a_display_never_opens_for_a_wrong_folder(not_a_bundle, monkeypatch, extra):
    # With a display the window used to open and show a dialog (or, with --snapshot, exit 1).
    ran = _trap_command(monkeypatch, "app.cli.gui")
    code, _, err = run("gui", "--model", not_a_bundle, *extra)
    line = user_error(code, err)
    assert str(not_a_bundle) in line and ran == []


def test_a_missing_folder_is_named_too(tmp_path, monkeypatch):
    ran = _trap_command(monkeypatch, "app.cli.gui")
    line = user_error(*run("--model", tmp_path / "nope")[::2])
    assert "nope: no such model folder" in line and ran == []


@pytest.mark.parametrize("command, module", [
    (["run", "--source", "0"], "app.cli.run"),
    (["evaluate", "--data", "clips"], "app.cli.evaluate"),
    (["bench"], "app.cli.bench"),
    (["export", "--format", "onnx", "--out", "x.onnx"], "app.cli.export"),
])
def test_every_command_with_model_checks_it_before_it_runs(not_a_bundle, monkeypatch, command, module):
    ran = _trap_command(monkeypatch, module)
    line = user_error(*run(*command, "--model", not_a_bundle)[::2])
    assert str(not_a_bundle) in line and ran == []


def test_the_shipped_model_passes_the_check(monkeypatch):
    ran = _trap_command(monkeypatch, "app.cli.gui")
    assert main(["gui"]) == 0 and ran[0].model == str(DEFAULT_MODEL)


def test_help_says_where_the_default_model_and_the_demo_clip_are(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert f"demo clip:     {DEMO_CLIP}" in out and f"default model: {DEFAULT_MODEL}" in out
    assert DEMO_CLIP.is_file()
