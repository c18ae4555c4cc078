"""Replies, rendered once: a handler's answer (a body or a :class:`Reply`) and a gateway's errors as bytes
with the firmware's headers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from starlette.responses import Response

from emulator.device.errors import GatewayError
from emulator.firmware.profile import FirmwareProfile
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


def headers_for(profile: FirmwareProfile) -> dict[str, str]:
    return {**_BASE_HEADERS, **dict(profile.extra_headers)}


@cache
def raw_headers(profile: FirmwareProfile) -> tuple[tuple[bytes, bytes], ...]:
    """The profile's constant headers, encoded once (this is on every answer's path)."""
    return tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers_for(profile).items())


def _json_response(
    status: int, content: bytes, profile: FirmwareProfile, media_type: str = "application/json"
) -> Response:
    response = Response(content, status_code=status, media_type=media_type)
    response.raw_headers.extend(raw_headers(profile))
    return response


def dumps(body: Any) -> bytes:
    return json_text(body).encode("utf-8")


def json_reply(status: int, body: Any, headers: dict[str, str]) -> Response:
    return Response(dumps(body), status_code=status, headers=headers, media_type="application/json")


def render(result: Any, profile: FirmwareProfile) -> Response:
    if not isinstance(result, Reply):
        return _json_response(200, dumps(result), profile)
    if result.raw is not None and not result.headers:
        return _json_response(result.status, result.raw, profile, result.media_type)
    headers = headers_for(profile)
    if result.empty:
        response = Response(b"", status_code=result.status, headers=headers)
    elif result.raw is not None:
        response = Response(result.raw, status_code=result.status, headers=headers, media_type=result.media_type)
    else:
        response = json_reply(result.status, result.body, headers)
    for name, value in result.headers:  # appended: a login sets two cookies
        response.headers.append(name, value)
    return response


def render_error(exc: GatewayError, profile: FirmwareProfile | None) -> Response:
    headers = headers_for(profile) if profile is not None else dict(_BASE_HEADERS)
    body = exc.body()
    if body is None:
        return Response(b"", status_code=exc.status, headers=headers)
    return json_reply(exc.status, body, headers)
