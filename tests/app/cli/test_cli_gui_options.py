"""`actionlens --source FILE` opens the GUI with that source, as `actionlens gui --source FILE` does."""

from __future__ import annotations

import types

from app.cli.main import main


def _fake_gui(monkeypatch):
    seen = []
    module = types.ModuleType("app.cli.gui")
    module.main = lambda args: seen.append(args) or 0
    monkeypatch.setitem(__import__("sys").modules, "app.cli.gui", module)
    return seen


def test_gui_options_without_the_word_gui(monkeypatch):
    seen = _fake_gui(monkeypatch)
    assert main(["--source", "clip.avi", "--device", "cpu"]) == 0
    assert seen[0].command == "gui" and seen[0].source == "clip.avi" and seen[0].device == "cpu"


def test_bare_actionlens_is_the_gui(monkeypatch):
    seen = _fake_gui(monkeypatch)
    assert main([]) == 0
    assert seen[0].command == "gui" and seen[0].source is None
