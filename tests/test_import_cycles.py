"""No import circles among the modules of app/ and model/.

A circle (a imports b, b imports a, even lazily inside a function) means neither module
can be read or tested alone, and which one loads first decides what the other sees.
"""

from __future__ import annotations

from pathlib import Path

from tests.layer_rules import ROOT, imports_of, module_name


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """{module: the modules of app/ and model/ it imports}, a package's import counted as its __init__."""
    paths = {module_name(p, root): p for package in ("app", "model") for p in (root / package).rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        found = set()
        for _, imported in imports_of(path, root):
            while imported and imported not in paths:  # `from a.b import c`: c may be a name in a.b
                imported = imported.rpartition(".")[0]
            if imported and imported != name and imported not in ("app", "model"):
                found.add(imported)
        graph[name] = found
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that reach one another through imports (Tarjan), sorted; none is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while not group or group[-1] != v:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_no_module_of_app_or_model_is_in_an_import_circle():
    assert circles(import_graph()) == []


def test_a_lazy_import_back_is_found(tmp_path):
    # Guards the test above against passing vacuously: the circle bench <-> bench_compare had
    # one side's import inside a function.
    (tmp_path / "app" / "cli").mkdir(parents=True)
    for init in ("app/__init__.py", "app/cli/__init__.py"):
        (tmp_path / init).write_text("")
    (tmp_path / "app/cli/bench.py").write_text("def main():\n    from app.cli.bench_compare import main\n")
    (tmp_path / "app/cli/bench_compare.py").write_text("from app.cli.bench import peak_rss_mb\n")
    (tmp_path / "app/cli/other.py").write_text("import app.cli.bench\n")
    assert circles(import_graph(tmp_path)) == [["app.cli.bench", "app.cli.bench_compare"]]
