"""The shape of a JSON body (field paths and their types), and the differences between two shapes."""

from __future__ import annotations

from typing import Any


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(body: Any, prefix: str = "") -> dict[str, set[str]]:
    """Field path -> the kinds of value seen there; list items share one path (``items[]``)."""
    found: dict[str, set[str]] = {}

    def walk(value: Any, path: str) -> None:
        found.setdefault(path or "(body)", set()).add(_kind(value))
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{path}[]")

    walk(body, prefix)
    return found


def differences(gateway: Any, emulator: Any) -> list[str]:
    """What a person needs to know: fields only one side has, and fields whose type differs."""
    ours, theirs = shape(emulator), shape(gateway)
    lines = [f"only on the gateway: `{p}` ({'/'.join(sorted(theirs[p]))})" for p in sorted(theirs.keys() - ours.keys())]
    lines += [f"only in the emulator: `{p}` ({'/'.join(sorted(ours[p]))})" for p in sorted(ours.keys() - theirs.keys())]
    for path in sorted(ours.keys() & theirs.keys()):
        a, b = theirs[path] - {"null"}, ours[path] - {"null"}
        if a and b and a != b:
            lines.append(f"type differs at `{path}`: gateway {'/'.join(sorted(a))}, emulator {'/'.join(sorted(b))}")
    return lines
