"""The shape of the code: no import cycle among palace/ and workers/ modules, and no
module over 400 lines.

The graph is built from each module's module-level imports (``import x``, ``from x
import y``, relative ones resolved); imports under ``if TYPE_CHECKING:`` and inside
functions are left out, since they are not run when the module is imported.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("palace", "workers")
MAX_MODULE_LINES = 400

Graph = dict[str, set[str]]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _type_checking_only(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements run when the module is imported (try/if blocks included)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try) and not _type_checking_only(node):
            children = [*node.body, *node.orelse]
            if isinstance(node, ast.Try):
                children += [*node.finalbody, *(s for h in node.handlers for s in h.body)]
            yield from _module_level(children)


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        parent = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parent, *([node.module] if node.module else [])])
    found = set()
    for alias in node.names:
        full = f"{base}.{alias.name}"
        if full in known:
            found.add(full)  # ``from package import module``
        elif base in known:
            found.add(base)  # ``from module import name``
    return found


def import_graph(files: dict[str, Path]) -> Graph:
    known = set(files)
    graph: Graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges = set()
        for node in _module_level(tree.body):
            edges |= _targets(node, package, known)
        graph[name] = edges - {name}
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """Groups of modules that import each other, directly or round about (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            group.append(node)
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    assert cycles(import_graph(module_files())) == []


def test_the_graph_sees_the_imports_it_should() -> None:
    graph = import_graph(module_files())
    rules = graph["palace.services.facilities.rules"]
    assert "palace.services.facilities.lookup" in rules  # from package import module
    assert "palace.models" in rules  # from module import name
    assert "palace.services.facilities.rules" in graph["palace.services.facilities.facilities"]


def test_a_planted_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "palace"
    (package / "inner").mkdir(parents=True)
    (tmp_path / "workers").mkdir()
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    (package / "first.py").write_text("from palace.inner import second\n")
    (package / "inner" / "second.py").write_text("from ..third import x\n")
    (package / "third.py").write_text("import palace.first\nx = 1\n")
    (package / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from palace import late\n"
    )
    (package / "late.py").write_text("from palace import typed\n")
    (package / "lazy.py").write_text("def f() -> None:\n    from palace import eager\n")
    (package / "eager.py").write_text("from palace import lazy\n")
    graph = import_graph(module_files(tmp_path))
    assert cycles(graph) == [["palace.first", "palace.inner.second", "palace.third"]]


def test_every_module_is_400_lines_or_under() -> None:
    long = {
        name: lines
        for name, path in module_files().items()
        if "migrations" not in name
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
