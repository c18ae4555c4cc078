"""The one door every JSON request body passes: bounded size, depth and numbers, valid text.

Why a door of its own: Python's ``json`` accepts what no client can mean and the
emulator cannot serve back — ``1e400`` (parsed as ``inf``), integers longer than
Python will turn back into text, nesting deep enough to raise ``RecursionError``,
lone UTF-16 surrogates that cannot be encoded again. Each of those used to pass
here and fail later, after state had changed. The door refuses them all up front
with a 400, before any handler runs, so "validate everything before changing
anything" holds for every route that reads a body.

What the door does *not* judge is an integer's range: a real gateway ignores fields
it does not know (a 20-digit number in one included), so the range of a number the
gateway reads is stated where it reads it -- the request schema's ``minimum`` and
``maximum`` -- and a number in any other field passes untouched.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any

from emulator.device.errors import GatewayError, bad_request, error

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32  # arrays/objects inside each other; real request bodies use 2
MAX_INTEGER_DIGITS = 4300  # Python's own bound on int <-> text (sys.int_info): what is read can be written back


def too_large() -> GatewayError:
    return error("body_too_large", limit=MAX_BODY_BYTES)


def declared_length(value: str) -> int | None:
    """A Content-Length header as a number, or None when it is not plain ASCII digits."""
    return int(value) if value.isascii() and value.isdigit() else None


async def read_bounded(declared: str, chunks: AsyncIterator[bytes]) -> bytes:
    """The whole body, refused with 413 as soon as it passes the limit — also when sent chunked."""
    length = declared_length(declared)
    if length is not None and length > MAX_BODY_BYTES:
        raise too_large()
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large()
        parts.append(chunk)
    return b"".join(parts)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value + 0.0  # -0.0 (and -1e-400, which underflows to it) is zero: no sign to carry into the state


def _integer(text: str) -> int:
    """Any integer Python can write back as text; its range is the schema's business, field by field."""
    digits = len(text) - text.startswith("-")
    if digits > MAX_INTEGER_DIGITS:  # checked before int(), which would refuse it with a message of its own
        raise ValueError(f"an integer of {digits} digits is longer than the {MAX_INTEGER_DIGITS} this reads")
    return int(text)


def _reject_constant(name: str) -> float:
    """NaN and Infinity are not JSON; Python accepts them unless told not to."""
    raise ValueError(f"{name} is not JSON (not a number JSON can carry)")


def parse_json(raw: bytes) -> Any:
    """A JSON document within the door's limits, or a 400 that says which limit it broke."""
    try:
        return loads_bounded(raw)
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def loads_bounded(raw: bytes | str) -> Any:
    """The same limits for any JSON a user hands us (request bodies, recording lines); ValueError if broken.

    Integers stay exact: a real gateway's recorded bodies hold 64-bit counters and ids, which a replay
    must send back as they were.
    """
    try:
        value = json.loads(raw, parse_float=_finite_float, parse_int=_integer, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # UnicodeDecodeError is a ValueError
        raise ValueError(f"malformed JSON: {exc}") from None
    try:
        check_value(value)
    except GatewayError as exc:
        raise ValueError(exc.message) from None
    return value


def check_value(value: Any) -> None:
    """Depth and text checks, iteratively (a deep value must not recurse here either)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise bad_request(f"JSON body nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key in item:
                    _check_text(key)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str):
            _check_text(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("JSON body holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text") from None
