"""Request bodies: through the door (emulator.http.door), then validated against the contract's schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

from emulator import contract
from emulator.device.errors import bad_request, error
from emulator.http.context import context
from emulator.http.door import check_value, parse_json, read_bounded
from emulator.http.turn import settled

if TYPE_CHECKING:
    from jsonschema import ValidationError


async def read_body(request: Request, *, form_ok: bool = False) -> Any:
    """The request body through the door (emulator.http.door): bounded, parsed, and sane; 4xx otherwise."""
    try:
        raw = await read_bounded(request.headers.get("content-length", ""), request.stream())
    except ClientDisconnect:  # gone mid-body (or cut off as too slow): nobody is left to answer
        raise error("client_gone") from None
    await settled(context(request).gateway)  # a clock jump that began while the body streamed in ends first
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if form_ok and content_type == "application/x-www-form-urlencoded":
        try:
            form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw)))
        except (UnicodeDecodeError, ValueError):
            raise error("form_unparsable") from None
        check_value(form)
        return form
    if not raw.strip():
        raise error("body_required")
    return parse_json(raw)


async def control_body(request: Request, schema: str) -> Any:
    """A control-API body: JSON only, so a browser must ask first (CORS preflight) before sending one."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise error("control_json_only")
    return validate(schema, await read_body(request))


def validate(schema: str, value: Any) -> Any:
    errors = sorted(contract.validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        raise bad_request(describe(errors[0]))
    return value


def describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "body"
    ruled_out = error.validator_value
    if error.validator == "not" and isinstance(error.instance, dict) and isinstance(ruled_out, dict):
        given = [name for name in _required_in(ruled_out) if name in error.instance]  # members others rule out
        if given:
            kind = error.instance.get("kind")
            together = len(ruled_out.get("required", ())) > 1  # not {"required": [a, b]}: not both
            names = " and ".join(repr(name) for name in given)
            told = f"{names} cannot be given together" if together else f"{names} cannot be given here"
            return f"{where}: {told}" + (f" (kind {kind!r})" if isinstance(kind, str) else "")
    return f"{where}: {error.message}"


def _required_in(schema: Any) -> list[str]:
    """The member names a ``not`` schema's ``required`` lists name, through its anyOf/allOf/oneOf."""
    if not isinstance(schema, dict):
        return []
    names = [name for name in schema.get("required", []) if isinstance(name, str)]
    for key in ("anyOf", "allOf", "oneOf"):
        for branch in schema.get(key, []):
            names += [name for name in _required_in(branch) if name not in names]
    return names
