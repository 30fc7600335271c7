"""No import cycles among the modules of function_app (issue 16).

Every import of a function_app module counts, wherever it is written: at the top of the
module, under ``if TYPE_CHECKING:``, or inside a function. Issue 16 asks for a cycle to be
broken by moving the shared types to a module both sides depend on, not hidden by
importing late, so a late import closes a cycle as surely as an early one.

The graph, read with ``ast`` (nothing is imported):

- ``import a.b.c`` depends on ``a.b.c``; relative imports are resolved first.
- ``from a.b import name`` depends on the submodule ``a.b.name`` when there is one, else
  on ``a.b`` itself (for a package, its ``__init__``: the name is re-exported there).
- A package's ``__init__`` depends on what it imports, like any module. What is not
  counted is the implicit step of every import through its parent packages: Python puts a
  package in ``sys.modules`` before running its submodules, so that step closes no cycle.
  An explicit ``from function_app.domain import assess`` in a module the domain's
  ``__init__`` reaches does, and is counted.

A cycle is a strongly connected component of more than one module; the failure names each
one, with an import path round it (file, line, and whether the import is at the top,
under TYPE_CHECKING or inside a function).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "function_app"

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Edge:
    """One import: where it is written and how."""

    target: str
    line: int
    where: str  # "top", "TYPE_CHECKING" or "in a function"


def module_names(root: Path, package: str) -> tuple[dict[str, Path], set[str]]:
    """Every module under root/package by its dotted name (a package by its __init__), and
    every package name (namespace packages, directories without __init__.py, included)."""
    modules: dict[str, Path] = {}
    packages = {package}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
        packages.update(".".join(parts[:i]) for i in range(1, len(parts)))
    packages.update(name for name, path in modules.items() if path.name == "__init__.py")
    return modules, packages


def _placed(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, str]]:
    """Each import statement with where it sits: top level, TYPE_CHECKING, or a function."""
    found: list[tuple[ast.Import | ast.ImportFrom, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            here = where
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                here = "in a function"
            elif isinstance(child, ast.If) and where == "top" and _is_type_checking(child.test):
                for stmt in child.body:
                    _collect(stmt, "TYPE_CHECKING")
                for stmt in child.orelse:
                    _collect(stmt, where)
                continue
            _collect(child, here, recurse=False)
            visit(child, here)

    def _collect(node: ast.AST, where: str, recurse: bool = True) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node, where))
        if recurse:
            visit(node, where)

    visit(tree, "top")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _base(name: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        return ""
    anchor = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{anchor}.{node.module}" if node.module else anchor


def _existing(name: str, modules: dict[str, Path]) -> str | None:
    """The module itself, or the nearest enclosing one that has a file."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(root: Path, package: str) -> dict[str, list[Edge]]:
    """Each module of the package with every import of another of its modules."""
    modules, packages = module_names(root, package)
    graph: dict[str, list[Edge]] = {name: [] for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, where in _placed(tree):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_existing(alias.name, modules) for alias in node.names
                           if alias.name.split(".")[0] == package]
            else:
                base = _base(name, path, node)
                if base.split(".")[0] != package:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if base in packages and sub in modules:
                        targets.append(sub)  # a submodule
                    else:
                        targets.append(base if base in modules else None)  # a name in base
            graph[name] += [Edge(t, node.lineno, where) for t in dict.fromkeys(targets)
                            if t is not None and t != name]
    return graph


def strongly_connected(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Tarjan's algorithm, without recursion; components of more than one module only."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted({e.target for e in graph[start]})))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted({e.target for e in graph[target]}))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def round_trip(graph: dict[str, list[Edge]], component: list[str]) -> str:
    """A shortest way from the component's first module back to itself, import by import."""
    members = set(component)
    start = component[0]
    came: dict[str, tuple[str, Edge]] = {}
    frontier = [start]
    while frontier and start not in came:
        following = []
        for node in frontier:
            for edge in graph[node]:
                if edge.target in members and edge.target not in came:
                    came[edge.target] = (node, edge)
                    following.append(edge.target)
        frontier = following
    steps = []
    node = start
    while True:
        previous, edge = came[node]
        steps.append(f"{previous} -> {node} (line {edge.line}, {edge.where})")
        node = previous
        if node == start:
            break
    return "; ".join(reversed(steps))


def describe(graph: dict[str, list[Edge]]) -> list[str]:
    return [f"cycle among {', '.join(c)}: {round_trip(graph, c)}"
            for c in strongly_connected(graph)]


def test_function_app_has_no_import_cycles() -> None:
    """No strongly connected component of more than one module, counting every import."""
    graph = import_graph(ROOT, PACKAGE)
    assert len(graph) > 50, "the modules of function_app were not found"
    cycles = describe(graph)
    assert not cycles, "\n".join(cycles)


def test_the_assessment_types_sit_below_advice_and_cautions() -> None:
    """The cycle issue 16 names is broken by a module all three import, not by hiding it."""
    graph = import_graph(ROOT, PACKAGE)
    needs = {name: {e.target for e in graph[f"{PACKAGE}.domain.{name}"]}
             for name in ("assessment", "advice", "cautions", "findings")}
    for name in ("assessment", "advice", "cautions"):
        assert f"{PACKAGE}.domain.findings" in needs[name]
    assert f"{PACKAGE}.domain.assessment" not in needs["advice"] | needs["cautions"]
    assert not needs["findings"] & {f"{PACKAGE}.domain.{n}"
                                    for n in ("assessment", "advice", "cautions")}


def _package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_check_sees_cycles_hidden_by_type_checking_or_a_late_import(
        tmp_path: Path) -> None:
    """A cycle closed under TYPE_CHECKING, or inside a function, is still a cycle; relative
    imports and ``from package import submodule`` are followed."""
    _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                    "    from .b import B\n",
        "pkg/b.py": "from pkg import a\nclass B: ...\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/c.py": "def f():\n    from ..sub import d\n",
        "pkg/sub/d.py": "import pkg.sub.c\n",
        "pkg/e.py": "from pkg.sub.c import f\n",
    })
    graph = import_graph(tmp_path, "pkg")
    assert strongly_connected(graph) == [["pkg.a", "pkg.b"], ["pkg.sub.c", "pkg.sub.d"]]
    assert graph["pkg.a"] == [Edge("pkg.b", 3, "TYPE_CHECKING")]
    assert graph["pkg.sub.c"] == [Edge("pkg.sub.d", 2, "in a function")]
    assert graph["pkg.e"] == [Edge("pkg.sub.c", 1, "top")]
    assert describe(graph)[0] == ("cycle among pkg.a, pkg.b: pkg.a -> pkg.b (line 3, "
                                  "TYPE_CHECKING); pkg.b -> pkg.a (line 1, top)")


def test_a_name_re_exported_by_a_package_depends_on_its_init(tmp_path: Path) -> None:
    """``from pkg import Thing``, re-exported by pkg/__init__.py, depends on that __init__:
    if the __init__ reaches back to the importer, that is a cycle at import time. The
    implicit import of a module's own parent package is not counted."""
    _package(tmp_path, {
        "pkg/__init__.py": "from .model import Thing\nfrom . import back\n",
        "pkg/model.py": "class Thing: ...\n",
        "pkg/uses.py": "from pkg import Thing\nfrom . import model\n",
        "pkg/back.py": "from pkg import Thing\n",
    })
    graph = import_graph(tmp_path, "pkg")
    assert {e.target for e in graph["pkg.uses"]} == {"pkg", "pkg.model"}
    assert graph["pkg.model"] == []
    assert strongly_connected(graph) == [["pkg", "pkg.back"]]
