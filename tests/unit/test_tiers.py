"""The fast tier's list (tests/conftest.py) names tests that exist: a renamed test cannot slip into it unseen."""

from __future__ import annotations

import ast

from tests.conftest import SLOW_MODULES, SLOW_TESTS
from tests.support.paths import ROOT


def test_every_slow_module_and_test_named_in_conftest_exists() -> None:
    missing = [path for path in sorted(SLOW_MODULES) if not (ROOT / path).is_file()]
    for entry in sorted(SLOW_TESTS):
        path, _, name = entry.partition("::")
        file = ROOT / path
        defined = _test_names(file.read_text("utf-8")) if file.is_file() else set()
        if name not in defined:
            missing.append(entry)
    assert not missing, f"tests/conftest.py names tests that do not exist: {missing}"


def _test_names(source: str) -> set[str]:
    """Functions defined, and names assigned at module level (a test made by a factory, as schemathesis does)."""
    tree = ast.parse(source)
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names
