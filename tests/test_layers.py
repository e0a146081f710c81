"""The layers: only app/qt/ loads PyQt6, and the import rules of tests/layer_rules.py hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules under app/qt/ that the CLI imports before deciding whether a GUI can open.
QT_FREE_GUI_MODULES = ("app.qt.display", "app.qt.paths")

_PROBE = """
import importlib, json, sys
failed, optional = {}, {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as err:
        # A missing optional dependency (e.g. tf2onnx) is not ours to test here.
        if (err.name or "").split(".")[0] in ("app", "model"):
            failed[name] = f"{type(err).__name__}: {err}"
        else:
            optional[name] = err.name
    except Exception as err:
        failed[name] = f"{type(err).__name__}: {err}"
qt = sorted(m for m in sys.modules if m == "PyQt6" or m.startswith(("PyQt6.", "pyqtgraph")))
print(json.dumps({"qt": qt, "failed": failed, "optional": optional}))
"""


def headless_modules() -> list[str]:
    """Every module under app/ and model/ outside app/qt/, found by walking the folders."""
    names = []
    for package in ("app", "model"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[:2] == ("app", "qt") or parts[-1] == "__main__":
                continue  # __main__ would run the CLI
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _import_in_subprocess(modules: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(modules)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_headless_modules_do_not_load_pyqt6():
    modules = headless_modules()
    assert "app.runtime.engine" in modules or "app.results" in modules
    report = _import_in_subprocess(modules + list(QT_FREE_GUI_MODULES))
    assert report["failed"] == {}, f"modules failed to import: {report['failed']}"
    assert report["qt"] == [], f"Qt was loaded by a headless module: {report['qt']}"


def test_probe_detects_qt():
    # Guards the test above against passing vacuously.
    assert "PyQt6" in _import_in_subprocess(["app.qt.widgets.colors"])["qt"]


def test_layer_rules_hold():
    from tests.layer_rules import violations

    assert violations() == []


def test_layer_rules_catch_a_forbidden_import(tmp_path):
    # A throwaway tree with one import of each forbidden kind: the check must see all three,
    # also the lazy one inside a function.
    from tests.layer_rules import violations

    for pkg in ("app", "app/runtime", "app/qt", "model", "model/nets"):
        (tmp_path / pkg).mkdir(parents=True, exist_ok=True)
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "model/nets/net.py").write_text("def f():\n    from model.train import fit\n")
    (tmp_path / "app/runtime/engine.py").write_text("from app.qt.window import MainWindow\n")
    (tmp_path / "model/bundle.py").write_text("import app.runtime.engine\n")
    (tmp_path / "app/qt/window.py").write_text("from PyQt6.QtWidgets import QWidget\n")
    found = violations(tmp_path)
    assert len(found) == 3, found
    assert any("model/nets/net.py:2 imports model.train" in v for v in found)
    assert any("app/runtime/engine.py:1 imports app.qt.window" in v for v in found)
    assert any("model/bundle.py:1 imports app.runtime.engine" in v for v in found)
