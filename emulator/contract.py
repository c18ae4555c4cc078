"""Placeholder loader for schemas/ (replaced by the full contract module)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

_ROOT = Path(__file__).resolve().parent
_CANDIDATES = (_ROOT / "_contract" / "schemas", _ROOT.parent / "schemas")


def schemas_dir() -> Path:
    for candidate in _CANDIDATES:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("schemas/ not found next to the emulator package")


@lru_cache(maxsize=1)
def _registry() -> Registry:
    root = schemas_dir()
    resources = []
    for path in root.rglob("*.json"):
        contents = json.loads(path.read_text("utf-8"))
        resources.append((path.relative_to(root).as_posix(), Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def schema(name: str) -> dict:
    return _registry().contents(name)


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=_registry())
