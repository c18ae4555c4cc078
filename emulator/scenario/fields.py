"""What an expectation may read: field paths checked against the contract's schemas at load time.

A field is a dotted path into a JSON body: GET /_emulator/state (the
default) or an /api/ endpoint's answer. The body's JSON Schema in schemas/
says which paths exist and what type they hold, so a misspelt field is an
error when the file loads, never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from emulator import contract

STATE_SCHEMA = "control/state.json"
NUMERIC = frozenset({"number", "integer"})
Resolver = Any  # referencing.Resolver; its module does not export the name


@dataclass(frozen=True)
class FieldInfo:
    """A readable field: its path parts and the JSON types its schema allows (empty: any)."""

    parts: tuple[str | int, ...]
    types: frozenset[str]

    @property
    def numeric(self) -> bool:
        return not self.types or bool(self.types & NUMERIC)

    def accepts(self, value: Any) -> bool:
        """Whether the field can ever hold ``value`` (integer and number are one kind here)."""
        kind = _json_type(value)
        return not self.types or kind in self.types or (kind == "number" and self.numeric)


def endpoint_schema(
    path: str, firmware: str | Sequence[str], *, body: bool = True, ever: Iterable[str] = ()
) -> str | None:
    """The schema of a GET /api/ endpoint's 200 body (None: no JSON body), judged against ``firmware``: the one
    in charge when it is read, or each in turn over a window (a firmware_update changes it mid-run).

    ValueError for a path the gateway does not serve, or one whose GET acts. A ``body`` read needs every firmware
    in charge to serve the path; a status alone (a 404 once an update removed it) needs one the run goes through
    (``ever``) to.
    """
    versions = [firmware] if isinstance(firmware, str) else list(firmware)
    op = contract.operation_for("GET", path)
    if op is None or not op.path.startswith("/api/"):
        raise ValueError(f"GET {path} is not an endpoint of the gateway (see openapi.yaml)")
    unserved = [version for version in versions if not op.serves(version)]
    if unserved and (body or not any(op.serves(version) for version in (*versions, *ever))):
        then = " (in charge then)" if len({*versions, *ever}) > 1 else ""  # the run goes through several
        raise ValueError(f"GET {path} is not served by firmware {unserved[0]}{then}")
    if op.safety != "read":  # the spec's x-teg-safety: reading it would change what is observed
        raise ValueError(f"GET {path} changes the gateway; expectations only read (make it an event)")
    return op.response_schema(200)


def resolve_field(schema_name: str, dotted: str, where: str) -> FieldInfo:
    """Check ``dotted`` against a schema; ValueError naming what exists at the first wrong step."""
    resolver = contract.registry().resolver()
    resolved = resolver.lookup(schema_name)
    options = [(resolved.contents, resolved.resolver)]
    parts: list[str | int] = []
    for name in dotted.split("."):
        step: list[tuple[dict[str, Any], Resolver]] = []
        known: set[str] = set()
        for schema, res in contract.schema_branches(options):
            found, names = _child(schema, res, name)
            step.extend(found)
            known |= names
        if not step:
            here = ".".join(str(p) for p in parts) or "the top level"
            hint = f"; known at {here}: {', '.join(sorted(known))}" if known else ""
            raise ValueError(f"unknown field {dotted!r} in {where}{hint}")
        parts.append(int(name) if name.isdigit() and not known else name)
        options = step
    types: set[str] = set()
    for schema, _ in contract.schema_branches(options):
        types |= _types(schema)
    return FieldInfo(tuple(parts), frozenset(types))


def _child(schema: dict[str, Any], res: Resolver, name: str) -> tuple[list[tuple[dict[str, Any], Resolver]], set[str]]:
    props = schema.get("properties", {})
    if name in props:
        return [(props[name], res)], set(props)
    for pattern, sub in schema.get("patternProperties", {}).items():
        if re.search(pattern, name):
            return [(sub, res)], set(props)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return [(extra, res)], set(props)
    if name.isdigit():
        prefix = schema.get("prefixItems", [])
        if int(name) < len(prefix):
            return [(prefix[int(name)], res)], set()
        if isinstance(schema.get("items"), dict):
            return [(schema["items"], res)], set()
    return [], set(props)


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    if "const" in schema:
        return {_json_type(schema["const"])}
    if "enum" in schema:
        return {_json_type(v) for v in schema["enum"]}
    return set()


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string" if isinstance(value, str) else "object"


MISSING = object()


def read(body: Any, parts: tuple[str | int, ...]) -> Any:
    """The value at ``parts`` in a decoded JSON body, or MISSING."""
    value = body
    for part in parts:
        if isinstance(value, dict) and str(part) in value:
            value = value[str(part)]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return MISSING
    return value
