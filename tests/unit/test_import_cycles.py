"""No import cycles in emulator/ or contract_tests/, deferred ones included.

Which imports count, and why:

- Every ``import``/``from ... import`` statement anywhere in a module: at the top, inside
  functions, under ``if TYPE_CHECKING:``, in ``try``. A deferred or type-only import is still a
  dependency (the module cannot be understood, type-checked or refactored without the other);
  hiding a cycle inside a function only moves the failure to the first call.
- Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, so it depends on those
  packages too, unless they are the importer's own ancestors: those are always initialised before
  the importer runs, so naming them adds no order. Taking a *name* from an ancestor's ``__init__``
  (``from emulator import create_app`` inside ``emulator.device``) does count.
- Imports of anything outside the two packages (stdlib, third party) cannot close a cycle here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

PACKAGES = ("emulator", "contract_tests")

Edge = tuple[str, int]  # (imported module, line)


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package __init__), for every module under ``packages``."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_edges(root: Path, packages: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Module -> {module it depends on: first line that says so}, per the rules in the docstring."""
    known = modules(root, packages)
    graph: dict[str, dict[str, int]] = {}
    for name, (path, is_package) in known.items():
        package = name if is_package else name.rpartition(".")[0]
        own_ancestors = set(_ancestors(name))
        targets: list[tuple[str, int, bool]] = []  # (module, line, names something the module defines)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets += [(alias.name, node.lineno, False) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in known:
                        targets.append((submodule, node.lineno, False))
                    else:
                        targets.append((source, node.lineno, True))
        edges: dict[str, int] = {}
        for target, line, takes_name in targets:
            chain = [*_ancestors(target), target]
            for module in chain:
                if module not in known or module == name:
                    continue
                if module in own_ancestors and not (takes_name and module == target):
                    continue
                edges.setdefault(module, line)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def describe(graph: dict[str, dict[str, int]], component: list[str]) -> str:
    members = set(component)
    lines = [f"cycle among {len(component)} modules:"]
    for module in component:
        for target, line in sorted(graph[module].items()):
            if target in members:
                lines.append(f"  {module} -> {target} (line {line})")
    return "\n".join(lines)


def test_emulator_and_contract_tests_have_no_import_cycle_at_all() -> None:
    graph = import_edges(ROOT, PACKAGES)
    assert len(graph) > 100  # the walk really saw the packages
    found = cycles(graph)
    assert not found, "\n".join(describe(graph, component) for component in found)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_walk_finds_a_cycle_hidden_in_a_function_and_type_checking(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "def f():\n    from pkg import b\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import f\n",
            "pkg/c.py": "import json\n",
        },
    )
    graph = import_edges(tmp_path, ("pkg",))
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    assert "pkg.a -> pkg.b (line 2)" in describe(graph, ["pkg.a", "pkg.b"])


def test_walk_counts_a_package_init_that_imports_back(tmp_path: Path) -> None:
    """sub/__init__ imports sub.run, run needs the app, the app takes a name from sub: a cycle."""
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.app import make\n",
            "pkg/sub/__init__.py": "from pkg.sub.run import go\n",
            "pkg/sub/run.py": "from pkg.app import make\n",
            "pkg/app.py": "from pkg.sub.spec import Spec\n",
            "pkg/sub/spec.py": "Spec = 1\n",
        },
    )
    assert cycles(import_edges(tmp_path, ("pkg",))) == [["pkg.app", "pkg.sub", "pkg.sub.run"]]


def test_walk_allows_a_child_under_its_own_package(tmp_path: Path) -> None:
    """A package __init__ re-exporting its children is the normal shape, not a cycle."""
    _write(
        tmp_path,
        {"pkg/__init__.py": "from pkg.a import x\n", "pkg/a.py": "from pkg.b import y\nx = y\n", "pkg/b.py": "y = 1\n"},
    )
    assert cycles(import_edges(tmp_path, ("pkg",))) == []
