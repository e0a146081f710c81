"""Fixtures for the GUI tests: offscreen Qt, a generated clip, a fake engine, a window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PyQt6.QtCore import QSettings  # noqa: E402
from PyQt6.QtWidgets import QMessageBox  # noqa: E402

# This folder holds fake_engine.py; the repository root (for app/) is added by tests/conftest.py.
from app.qt.settings_store import SettingsStore  # noqa: E402
from tests.qt.fake_engine import FakeEngine  # noqa: E402
from tests.qt.qt_helpers import LABELS, write_clip  # noqa: E402


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "moving.avi")


@pytest.fixture
def model_dir(tmp_path) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"labels": list(LABELS)}))
    return folder


@pytest.fixture
def store(tmp_path) -> SettingsStore:
    s = SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    s.set_path("output_dir", tmp_path / "out")
    s.set_path("dataset_dir", tmp_path / "dataset")
    return s


@pytest.fixture
def threads_before():
    return set(threading.enumerate())


@pytest.fixture
def engine(threads_before):
    eng = FakeEngine()
    yield eng
    eng.stop()


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str]]:
    """Captures QMessageBox.warning calls as (title, text) instead of showing them."""
    shown: list[tuple[str, str]] = []

    def fake_warning(parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", fake_warning)
    return shown


@pytest.fixture
def window(qtbot, engine, store, dialogs):
    from app.qt.main_window import MainWindow

    win = MainWindow(engine, store, camera_lister=lambda: [])
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
