"""The scenarios shipped with the package, addressable by name (``evening-outage``) or by path.

In a wheel they live in ``emulator/_scenarios/``; in a source checkout in
the repository's ``scenarios/`` folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from emulator.scenario.load import load_file
from emulator.scenario.source import ScenarioError
from emulator.scenario.spec import Scenario

_PACKAGE = Path(__file__).resolve().parent.parent
_CANDIDATES = (_PACKAGE / "_scenarios", _PACKAGE.parent / "scenarios")


def bundled_dir() -> Path | None:
    for candidate in _CANDIDATES:
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return None


def bundled_names() -> list[str]:
    folder = bundled_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder else []


@lru_cache(maxsize=64)
def _load_bundled(name: str, mtime: float) -> Scenario:
    folder = bundled_dir()
    assert folder is not None
    path = folder / f"{name}.yaml"
    return load_file(path, f"scenarios/{path.name}")


def load_bundled(name: str) -> Scenario:
    """A bundled scenario by name; ScenarioError when there is none (it names what there is)."""
    folder = bundled_dir()
    if folder is None or name not in bundled_names():  # a name, never a path out of the folder
        known = ", ".join(bundled_names()) or "none"
        raise ScenarioError(name, None, "", f"no such file, and no bundled scenario of that name (bundled: {known})")
    path = folder / f"{name}.yaml"
    return _load_bundled(name, path.stat().st_mtime)


def resolve(name_or_path: str) -> Scenario:
    """A scenario file by path, or a bundled scenario by name."""
    path = Path(name_or_path)
    if path.is_file():
        return load_file(path, name_or_path)
    if path.suffix or "/" in name_or_path:
        raise ScenarioError(name_or_path, None, "", "no such file")
    return load_bundled(name_or_path)


def all_bundled() -> list[Scenario]:
    return [load_bundled(name) for name in bundled_names()]
