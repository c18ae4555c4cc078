"""Replies, rendered once: a handler's answer (a body or a :class:`Reply`) and a gateway's errors as bytes
with the headers the firmware's facts state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from starlette.responses import Response

from emulator.contract import FirmwareFacts
from emulator.device.errors import GatewayError
from emulator.numbers import json_text

_BASE_HEADERS = {"cache-control": "no-cache, no-store", "x-content-type-options": "nosniff"}


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer when it is not a plain 200 JSON body."""

    status: int
    body: Any = None
    empty: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    raw: bytes | None = None  # an already-encoded body (JSON unless media_type says otherwise)
    media_type: str = "application/json"


def headers_for(facts: FirmwareFacts) -> dict[str, str]:
    return {**_BASE_HEADERS, **dict(facts.headers)}


@cache
def raw_headers(facts: FirmwareFacts) -> tuple[tuple[bytes, bytes], ...]:
    """The firmware's constant headers, encoded once (this is on every answer's path)."""
    return tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers_for(facts).items())


def _json_response(status: int, content: bytes, facts: FirmwareFacts, media_type: str = "application/json") -> Response:
    response = Response(content, status_code=status, media_type=media_type)
    response.raw_headers.extend(raw_headers(facts))
    return response


def dumps(body: Any) -> bytes:
    return json_text(body).encode("utf-8")


def json_reply(status: int, body: Any, headers: dict[str, str]) -> Response:
    return Response(dumps(body), status_code=status, headers=headers, media_type="application/json")


def render(result: Any, facts: FirmwareFacts) -> Response:
    if not isinstance(result, Reply):
        return _json_response(200, dumps(result), facts)
    if result.raw is not None and not result.headers:
        return _json_response(result.status, result.raw, facts, result.media_type)
    headers = headers_for(facts)
    if result.empty:
        response = Response(b"", status_code=result.status, headers=headers)
    elif result.raw is not None:
        response = Response(result.raw, status_code=result.status, headers=headers, media_type=result.media_type)
    else:
        response = json_reply(result.status, result.body, headers)
    for name, value in result.headers:  # appended: a login sets two cookies
        response.headers.append(name, value)
    return response


def render_error(exc: GatewayError, facts: FirmwareFacts | None) -> Response:
    headers = headers_for(facts) if facts is not None else dict(_BASE_HEADERS)
    body = exc.body()
    if body is None:
        return Response(b"", status_code=exc.status, headers=headers)
    return json_reply(exc.status, body, headers)
