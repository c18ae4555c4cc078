"""The contract as data: openapi.yaml and schemas/, loaded once and shared.

The emulator validates request bodies with these schemas, its tests validate
every answer with them, and the contract suite checks real gateways against
them: one source of truth for what a gateway says.

Both files ship inside the wheel (``emulator/_contract/``); in a source
checkout they are read from the repository root.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "_contract", _PACKAGE.parent)
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


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    with spec_path().open("rb") as handle:
        return yaml.load(handle, Loader=_YAML_LOADER)


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
    return registry().contents(name)


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=registry())


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template, e.g. /api/meters/{serial}/verify
    operation_id: str
    firmware: tuple[str, ...]
    open_in: tuple[str, ...]
    responses: dict[str, Any]
    route: str | None  # the emulator's route name for /api/ operations
    fleet_only: bool = False
    safety: str = "read"  # read | write | disruptive: what calling it does to a real site
    replay_only: bool = False  # served by `serve --replay`, not by a simulated gateway

    def serves(self, firmware: str) -> bool:
        return firmware in self.firmware

    def needs_login(self, firmware: str) -> bool:
        return firmware not in self.open_in

    def response_schema(self, status: int) -> str | None:
        """The schema name of the JSON body for a status, or None when that status has no body."""
        response = self.responses.get(str(status))
        if response is None:
            return None
        content = response.get("content", {}).get("application/json")
        if content is None:
            return None
        return _schema_name(content["schema"]["$ref"])

    def media_type(self, status: int) -> str | None:
        """The documented content type of a status's body (application/json, application/octet-stream), if any."""
        content = self.responses.get(str(status), {}).get("content", {})
        return next(iter(content), None)

    def documents(self, status: int) -> bool:
        return str(status) in self.responses


def _schema_name(ref: str) -> str:
    return ref.split("schemas/", 1)[1]


@lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    found = []
    for path, item in load_spec()["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=op["operationId"],
                    firmware=tuple(op.get("x-teg-firmware", ())),
                    open_in=tuple(op.get("x-teg-open", ())),
                    responses=op["responses"],
                    route=op.get("x-teg-route"),
                    fleet_only=bool(op.get("x-teg-fleet-only", False)),
                    safety=op.get("x-teg-safety", "read"),
                    replay_only=bool(op.get("x-teg-replay-only", False)),
                )
            )
    return tuple(found)


@cache
def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")


def operation_for(method: str, concrete_path: str) -> Operation | None:
    """The operation a concrete request path belongs to (templates match one path segment per parameter)."""
    method = method.upper()
    exact = [op for op in operations() if op.method == method and op.path == concrete_path]
    if exact:
        return exact[0]
    for op in operations():
        if op.method == method and _template_regex(op.path).match(concrete_path):
            return op
    return None


def response_schema_for(method: str, path: str, status: int) -> str | None:
    op = operation_for(method, path)
    return op.response_schema(status) if op else None
