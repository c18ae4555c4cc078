"""Body drift: the JSON an endpoint answers, edited at a pointer -- a key gone, a value null or ``""``, a type
changed -- as real gateways' bodies drift between firmware versions and in trouble.

Clients break on these in the field: tesla-powerwall raises ``'' is not a valid GridState`` when a failing
battery leaves ``grid_status`` empty (Home Assistant #36590), dashboards crash on ``None`` voltages while
islanded, and keys move or vanish between versions (../shared/research/field-failures-and-clients.md, 5).
The ``drift`` fault kind (emulator.http.fault_kinds) uses this module: a pointer is checked against the
endpoint's response schema when the rule is made (one that matches nothing is refused), and applied to each
answer the rule fires on.

A pointer is a JSON Pointer (RFC 6901: ``/site/instant_power``, ``~1`` for ``/``, ``~0`` for ``~``) in which
``*`` stands for every item of a list or every member of an object: ``/*/instant_average_voltage`` is each
meter's voltage in ``/api/meters/aggregates``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from emulator import contract

EDITS = ("remove", "null", "empty", "retype")
"""remove the key (or list item); set it to null; set it to ""; change its JSON type (see :func:`retyped`)."""
WILDCARD = "*"
MAX_POINTER_TOKENS = 16
Resolver = Any  # referencing.Resolver; its module does not export the name


class PointerError(ValueError):
    """A pointer that cannot be read, or matches nothing in a body's schema."""


def parse_pointer(text: str) -> tuple[str, ...]:
    """``/a/b~1c/*`` as ``("a", "b/c", "*")``; the whole body (``""`` or ``/``) is refused: drift edits a value."""
    if not text.startswith("/") or text == "/":
        raise PointerError(f"pointer {text!r} must name a value in the body, such as /grid_status or /site/*")
    tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in text[1:].split("/"))
    if len(tokens) > MAX_POINTER_TOKENS:
        raise PointerError(f"pointer {text!r} is deeper than {MAX_POINTER_TOKENS} steps")
    if re.search(r"~[^01]|~$", text):
        raise PointerError(f"pointer {text!r}: a ~ is written ~0, a / inside a name ~1")
    return tokens


# -- checking a pointer against a schema ---------------------------------------------------------------------
def check_against(schema_name: str, tokens: tuple[str, ...]) -> str | None:
    """None when ``tokens`` can reach a value in bodies of schema ``schema_name``; else what is known where it
    stopped (for the 400)."""
    resolved = contract.registry().resolver().lookup(schema_name)
    options: list[tuple[Any, Resolver]] = [(resolved.contents, resolved.resolver)]
    for depth, token in enumerate(tokens):
        step: list[tuple[Any, Resolver]] = []
        known: set[str] = set()
        for schema, res in contract.schema_branches(options):
            found, names = _children(schema, res, token)
            step.extend(found)
            known |= names
        if not step:
            here = "/" + "/".join(tokens[:depth])
            hint = f"; known at {here}: {', '.join(sorted(known))}" if known else f"; nothing is below {here}"
            return f"{'/' + '/'.join(tokens)} matches nothing in {schema_name}{hint}"
        options = step
    return None


def _children(schema: dict[str, Any], res: Resolver, token: str) -> tuple[list[tuple[Any, Resolver]], set[str]]:
    """What ``token`` reaches below ``schema`` (``*``: every member or item), and the names known there."""
    props: dict[str, Any] = schema.get("properties", {})
    found: list[tuple[Any, Resolver]] = []
    if token == WILDCARD:
        found += [(sub, res) for sub in props.values()]
        found += [(sub, res) for sub in schema.get("patternProperties", {}).values()]
    elif token in props:
        found.append((props[token], res))
    else:
        found += [
            (sub, res) for pattern, sub in schema.get("patternProperties", {}).items() if re.search(pattern, token)
        ]
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and (token == WILDCARD or not found):
        found.append((extra, res))
    if token == WILDCARD or token.isdigit():
        found += [(sub, res) for sub in schema.get("prefixItems", [])]
        if isinstance(schema.get("items"), dict):
            found.append((schema["items"], res))
    return found, set(props)


# -- editing a body --------------------------------------------------------------------------------------------
def drifted(body: Any, tokens: tuple[str, ...], edit: str) -> int:
    """Apply ``edit`` in place at every value ``tokens`` reaches in ``body``; how many values it changed."""
    parent_tokens, last = tokens[:-1], tokens[-1]
    changed = 0
    for parent in list(_reach(body, parent_tokens)):
        if isinstance(parent, dict):
            keys: list[Any] = list(parent) if last == WILDCARD else [last] if last in parent else []
        elif isinstance(parent, list):
            indices = range(len(parent)) if last == WILDCARD else [int(last)] if _index(last, parent) else []
            keys = sorted(indices, reverse=edit == "remove")  # remove from the end: earlier indices stay valid
        else:
            keys = []
        for key in keys:
            if edit == "remove":
                del parent[key]
            else:
                parent[key] = None if edit == "null" else "" if edit == "empty" else retyped(parent[key])
            changed += 1
    return changed


def _reach(value: Any, tokens: tuple[str, ...]) -> Iterator[Any]:
    if not tokens:
        yield value
        return
    token, rest = tokens[0], tokens[1:]
    if isinstance(value, dict):
        children = list(value.values()) if token == WILDCARD else [value[token]] if token in value else []
    elif isinstance(value, list):
        children = list(value) if token == WILDCARD else [value[int(token)]] if _index(token, value) else []
    else:
        children = []
    for child in children:
        yield from _reach(child, rest)


def _index(token: str, items: list[Any]) -> bool:
    return token.isascii() and token.isdigit() and int(token) < len(items)


def retyped(value: Any) -> Any:
    """The same value as another JSON type, as firmware that changes a field's type sends it: a number or a
    boolean as text (``60.0`` -> ``"60.0"``), text that reads as a number as that number (``"12"`` -> ``12``),
    other text as a one-item list, a list as an object keyed by position, an object as the list of its values,
    null as ``""``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return [value]
        if not math.isfinite(number):  # "nan", "1e999": JSON has no such number
            return [value]
        return int(number) if number.is_integer() and not re.search(r"[.eE]", value) else number
    if isinstance(value, list):
        return {str(i): item for i, item in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return ""
