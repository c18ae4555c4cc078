"""The contract's files: openapi.yaml and schemas/, found and loaded once.

Both ship inside the wheel (``emulator/_contract/``); in a source checkout they
are read from the repository root. Nothing here knows the emulator: the
contract suite reads the same files to judge real gateways.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

_EMULATOR = Path(__file__).resolve().parents[1]
_CANDIDATES = (_EMULATOR / "_contract", _EMULATOR.parent)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def contract_root() -> Path:
    """The folder holding openapi.yaml and schemas/."""
    for candidate in _CANDIDATES:
        if (candidate / "openapi.yaml").is_file() and (candidate / "schemas").is_dir():
            return candidate
    raise FileNotFoundError("openapi.yaml and schemas/ were not found next to the emulator package")


def schemas_dir() -> Path:
    return contract_root() / "schemas"


def spec_path() -> Path:
    return contract_root() / "openapi.yaml"


def load_yaml(path: Path) -> Any:
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=_YAML_LOADER)


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = load_yaml(spec_path())
    return spec


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every schema, addressable by its $id (its path under schemas/)."""
    root = schemas_dir()
    resources = [
        (path.relative_to(root).as_posix(), Resource.from_contents(json.loads(path.read_text("utf-8"))))
        for path in sorted(root.rglob("*.json"))
    ]
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """A schema by name, e.g. ``"responses/meters.aggregates.json"``."""
    contents: dict[str, Any] = registry().contents(name)
    return contents


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=registry())
