"""Names a package re-exports but imports on first use (PEP 562), shared by :mod:`emulator` and
:mod:`emulator.scenario`.

Both packages are imported for one light submodule far more often than for their whole surface
(pytest imports :mod:`emulator` for the plugin in every run of a user's venv; the served app imports
:mod:`emulator.scenario.spec`), so their re-exports must cost nothing until used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_names(package: str, where: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each name to the module defining it; a name,
    once imported, is kept in ``namespace`` (the package's globals) so later lookups never come here."""

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
