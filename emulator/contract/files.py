"""The contract's files: openapi.yaml and schemas/, found and loaded once.

Both ship inside the wheel (``emulator/_contract/``); in a source checkout they
are read from the repository root. Nothing here knows the emulator: the
contract suite reads the same files to judge real gateways.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.contract.cache import digest, recall, remember

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

# PyYAML, jsonschema and referencing are imported where they are used, not here: together they cost a
# start of `teg-emulator serve` ~0.1 s of CPU, and a served gateway needs them only for its first request
# body to validate (and for firmware facts that changed since they were last checked: contract.facts).

_EMULATOR = Path(__file__).resolve().parents[1]
_CANDIDATES = (_EMULATOR / "_contract", _EMULATOR.parent)


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
    """YAML through libyaml's C loader when PyYAML has it (~10x faster on openapi.yaml)."""
    import yaml  # imported here for start-up speed: see the note at the top

    with path.open("rb") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """openapi.yaml, parsed (from contract.cache while the file is unchanged: JSON reads ~10x faster)."""
    key = digest([spec_path()])
    spec = recall("openapi", key)
    if not isinstance(spec, dict):
        spec = load_yaml(spec_path())
        remember("openapi", key, spec)
    return spec


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every schema, addressable by its $id (its path under schemas/)."""
    from referencing import Registry, Resource  # imported here for start-up speed: see the note at the top

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
    from jsonschema import Draft202012Validator  # imported here for start-up speed: see the note at the top

    return Draft202012Validator(schema(name), registry=registry())


def schema_branches(options: Iterable[tuple[Any, Any]]) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each (schema, resolver) of ``options`` and what it stands for: its $ref followed, its allOf, anyOf and
    oneOf branches spread out. What a path into bodies of a schema can reach is found by walking these."""
    stack = list(options)
    while stack:
        schema, resolver = stack.pop()
        if not isinstance(schema, dict):
            continue
        if "$ref" in schema:
            target = resolver.lookup(schema["$ref"])
            stack.append((target.contents, target.resolver))
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend((branch, resolver) for branch in schema.get(key, ()))
        yield schema, resolver
