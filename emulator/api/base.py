"""What every /api/ route shares: credentials, request bodies, replies, headers.

Routes are thin adapters: :func:`api_route` wraps a handler so that the
firmware profile decides whether the route exists and whether it needs a
login, the handler asks the gateway, and the reply is rendered here, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import contract
from emulator.api.door import check_value, parse_json, read_bounded
from emulator.device.errors import GatewayError, bad_request, error
from emulator.device.gateway import Gateway
from emulator.device.sessions import Session
from emulator.firmware.bodies import Bodies
from emulator.firmware.profile import FirmwareProfile
from emulator.numbers import json_text
from emulator.serving.context import context
from emulator.serving.turn import settled

if TYPE_CHECKING:
    from jsonschema import ValidationError

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


@dataclass(slots=True)
class Ctx:
    request: Request
    gateway: Gateway
    session: Session | None

    @property
    def profile(self) -> FirmwareProfile:
        return self.gateway.profile

    @property
    def bodies(self) -> Bodies:
        return self.gateway.profile.bodies

    async def body(self, schema: str, *, form_ok: bool = False) -> dict[str, Any]:
        """The request body, parsed and validated against ``schemas/<schema>``; 400 otherwise."""
        body: dict[str, Any] = validate(schema, await read_body(self.request, form_ok=form_ok))
        return body


Handler = Callable[[Ctx], Awaitable[Any]]


async def read_body(request: Request, *, form_ok: bool = False) -> Any:
    """The request body through the door (emulator.api.door): bounded, parsed, and sane; 4xx otherwise."""
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
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or 'body'}: {error.message}"


# -- credentials -----------------------------------------------------------------
def presented_tokens(request: Request) -> list[str]:
    """Every token the request carries: bearer header and each AuthCookie (quotes stripped)."""
    return tokens_in(request.headers.get("authorization", ""), request.headers.getlist("cookie"))


def tokens_in(auth: str, cookie_headers: Iterable[str]) -> list[str]:
    """The tokens in an Authorization header's value and Cookie headers' values, in that order."""
    tokens: list[str] = []
    if auth[:7].lower() == "bearer ":
        tokens.append(auth[7:].strip())
    for header in cookie_headers:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name == "AuthCookie":
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                if value:
                    tokens.append(value)
    return tokens


def authorize(request: Request, gateway: Gateway) -> Session:
    profile = gateway.profile
    tokens = presented_tokens(request)
    if not tokens:
        raise GatewayError.of(profile.missing_credentials, request.method)
    for token in tokens:
        session = gateway.authenticate(token)
        if session is not None:
            return session
    raise GatewayError.of(profile.invalid_credentials, request.method)


# -- replies ---------------------------------------------------------------------
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


def sample_bytes(gateway: Gateway, name: str, *, live: bool) -> bytes:
    """The encoded body of snapshot read ``name`` for the latest sample: rendered once per sample, then shared.

    ``live`` reads answer 502 while sitemaster is stopped (raised as a GatewayError).
    """
    snap = gateway.live_snapshot() if live else gateway.snapshot()
    return gateway.rendered(name, snap, lambda: dumps(gateway.profile.bodies.renderers[name](snap)))


@dataclass(frozen=True, slots=True)
class SnapshotRead:
    """A GET whose 200 body is the firmware's renderer for this route name applied to the latest snapshot."""

    name: str
    live: bool = False

    async def __call__(self, ctx: Ctx) -> Reply:
        return Reply(200, raw=sample_bytes(ctx.gateway, self.name, live=self.live))


def snapshot_read(name: str, *, live: bool = False) -> SnapshotRead:
    return SnapshotRead(name, live)


class ApiRoute(Route):
    """A Route that remembers, when its GET is a snapshot read, which one (for the fast path)."""

    snapshot_read: SnapshotRead | None = None


def api_route(name: str, path: str, handlers: dict[str, Handler]) -> ApiRoute:
    """A Starlette route whose methods share one name for the firmware's existence and auth rules."""

    async def endpoint(request: Request) -> Response:
        gateway = context(request).gateway
        profile = gateway.profile
        if not profile.serves(name):
            raise error("not_on_firmware", path=request.url.path, version=profile.version)
        handler = handlers.get("GET" if request.method == "HEAD" else request.method)
        if handler is None:
            raise error("method_not_allowed", method=request.method, path=request.url.path)
        session = None if profile.is_open(name, request.method) else authorize(request, gateway)
        result = await handler(Ctx(request, gateway, session))
        return render(result, profile)

    route = ApiRoute(path, endpoint, methods=sorted(handlers), name=name)
    read = handlers.get("GET")
    if isinstance(read, SnapshotRead) and "{" not in path:
        route.snapshot_read = read
    return route
