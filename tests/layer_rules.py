"""The architecture's layers, as rules over the import statements of app/ and model/.

Every import counts, also one inside a function (a lazy import is still a
dependency). A rule says: modules under `source` never import anything under
one of `forbidden`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Rule:
    source: str
    forbidden: tuple[str, ...]
    why: str
    exempt: tuple[str, ...] = ()


RULES = (
    Rule("model", ("app", "PyQt6", "pyqtgraph"), "model/ knows nothing of the app, Qt or cameras"),
    Rule("model.nets", ("model.data", "model.train", "model.eval"),
         "the networks know nothing of data, training or evaluation"),
    Rule("model.pose", ("model.train", "model.eval", "model.nets", "keras", "tensorflow"),
         "the pose stages run alone: no training, no Keras (LiteRT runs them, via model.lite.interpreter)"),
    Rule("app.capture", ("app.runtime", "app.outputs", "app.cli", "app.qt"),
         "capture only reads sources"),
    Rule("app.runtime", ("app.outputs", "app.cli", "app.qt"), "the engine knows no consumer"),
    Rule("app.outputs", ("app.runtime", "app.cli", "app.qt"), "outputs write what they are given"),
    Rule("app", ("PyQt6", "pyqtgraph"), "only app/qt/ imports Qt", exempt=("app.qt",)),
    Rule("app.frames", ("app.",), "the shared records import no subpackage"),
    Rule("app.results", ("app.",), "the shared records import no subpackage"),
    Rule("app.settings", ("app.",), "the shared records import no subpackage"),
)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path, root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if node.module is None:  # `from . import x`: x is a module of that package
                found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, base))
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix.rstrip(".") or name.startswith(prefix if prefix.endswith(".") else prefix + ".")


def violations(root: Path = ROOT) -> list[str]:
    """One line per import that breaks a rule: file:line imports X (why)."""
    out = []
    for package in ("app", "model"):
        for path in sorted((root / package).rglob("*.py")):
            name = module_name(path, root)
            for rule in RULES:
                if not _under(name, rule.source) or any(_under(name, e) for e in rule.exempt):
                    continue
                for line, imported in imports_of(path, root):
                    if any(_under(imported, f) for f in rule.forbidden):
                        rel = path.relative_to(root)
                        out.append(f"{rel}:{line} imports {imported}: {rule.why}")
    return out
