"""The replay app: a recording served back over the recorded firmware's auth and TLS.

A replay is not a simulated site, so it does not fork the live app: it
serves one route per recorded path, answering from the :class:`Replay`
timeline. What a gateway does around the answers (login and logout, sessions,
throttled logins, which paths need a session, error bodies, headers) comes
from the firmware profile and a :class:`Gateway` borrowed for its sessions
only; its site model is never read. Faults and the request journal work as on
a live gateway, through the same middleware.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from emulator.api import API_ROUTES, auth
from emulator.control.authorized_clients import AUTHORIZED_CLIENT_ROUTES
from emulator.control.traffic import TRAFFIC_ROUTES
from emulator.device.clock import Monotonic
from emulator.device.errors import error
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.device.gateway import Gateway
from emulator.device.identity import validate_serial
from emulator.firmware import profile_of
from emulator.http.context import app_context, attach
from emulator.http.credentials import authorize
from emulator.http.guard import ControlPolicy
from emulator.http.reply import headers_for
from emulator.replay import tedapi, tedapi_v1r
from emulator.replay.context import ReplayContext, replay_context
from emulator.replay.control_routes import REPLAY_ROUTES
from emulator.replay.format import Recording
from emulator.replay.timeline import Prepared, Replay
from emulator.serving.app import gateway_app
from emulator.serving.docs import docs_routes
from emulator.tedapi.routes import guard, read_body

DEFAULT_SERIAL = "T123456789"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
DEVICE = "tedapi.device.v1"  # the live route's name, so faults and the journal see the same route


def create_replay_app(
    recording: Recording,
    *,
    password: str | None = None,
    gw_password: str | None = None,
    speed: float = 1.0,
    paused: bool = False,
    loop: bool = False,
    tls: bool = False,
    monotonic: Monotonic | None = None,
    control: ControlPolicy | None = None,
    authorized_keys: tuple[bytes, ...] = (),
) -> Starlette:
    """An app that serves ``recording``; ``password`` is the customer password a login needs
    (default: the firmware's default for the recorded gateway serial); ``gw_password`` the gateway
    password recorded TEDAPI answers are served behind (default: ten letters from the seed);
    ``authorized_keys`` (PEMs) the keys whose signed TEDAPI v1r requests it answers, verified (a recording
    holds none: the control API adds more)."""
    header = recording.header
    options = EmulatorOptions(
        firmware=header.profile,
        gateway_serial=recorded_serial(recording),
        password=password,
        gw_password=gw_password,
        authorized_keys=authorized_keys,
        speed=speed,
        paused=paused,
        start=datetime.fromtimestamp(header.started, tz=UTC),
        timezone=recorded_timezone(recording),
    )
    gateway = build_gateway(options, monotonic=monotonic)
    replay = Replay(recording, gateway.clock, loop=loop)
    logins = [route for route in API_ROUTES if route.name in auth.HANDLERS]  # login and logout, as live
    routes: list[BaseRoute] = [*logins, *recorded_routes(replay), *REPLAY_ROUTES, *TRAFFIC_ROUTES, *docs_routes()]
    if tedapi_v1r.PATH in replay.paths():  # its signatures are checked against the replay's own key table
        routes += AUTHORIZED_CLIENT_ROUTES
    app = gateway_app(gateway, routes, tls=tls, control=control)
    base = app_context(app)
    attach(
        app,
        ReplayContext(base.gateway, base.faults, base.journal, base.traffic_clock, control=base.control, replay=replay),
    )
    return app


def recorded_routes(replay: Replay) -> list[Route]:
    """One route per recorded path (named as the live routes are), then a 404 for everything else under /api/."""
    routes = [
        Route(path, tedapi_v1r.endpoint(recorded_din(replay.recording), _render), methods=["POST"], name="tedapi.v1r")
        if path == tedapi_v1r.PATH
        else Route(unquote(path), _tedapi_answer(path), methods=methods, name=route_name(path))
        if path.startswith("/tedapi/")
        else Route(
            unquote(path), _answer(path, route_name(path)), methods=methods, name=route_name(path)
        )  # routes match decoded paths
        for path, methods in replay.paths().items()
    ]
    if "/tedapi/v1" in replay.paths():  # a query for one device may also come by its own path
        routes.append(Route("/tedapi/device/{din}/v1", _tedapi_answer("/tedapi/v1"), methods=["POST"], name=DEVICE))
    routes.append(Route("/api/{rest:path}", _not_recorded, methods=_METHODS))
    return routes


def route_name(path: str) -> str:
    """``/api/meters/aggregates`` -> ``meters.aggregates``: the name firmware profiles know routes by."""
    return path.removeprefix("/api/").strip("/").replace("/", ".")


def _answer(path: str, name: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        ctx = replay_context(request)
        gateway = ctx.gateway
        if not profile_of(gateway).is_open(name, request.method):
            authorize(request, gateway)
        prepared = ctx.replay.answer(request.method, path)
        if prepared is None:  # the path was recorded, but not with this method
            raise error("method_not_allowed", method=request.method, path=request.url.path)
        return _render(prepared, gateway)

    return endpoint


def _tedapi_answer(path: str) -> Callable[[Request], Awaitable[Response]]:
    """A recorded TEDAPI path behind HTTP Basic with the gateway password, as the firmware facts say; a POST
    gets the latest answer recorded for the same kind of request (system info, config.json, a query) of the
    same device (a Powerwall 3's own components)."""

    async def endpoint(request: Request) -> Response:
        gateway = guard(request, "/tedapi/device/{din}/v1" if "din" in request.path_params else path)
        if isinstance(gateway, Response):
            return gateway
        ctx = replay_context(request)
        key = device = None
        if request.method == "POST":
            body = await read_body(request)
            key = tedapi.request_key(body)
            if key is None:
                raise error("tedapi_not_protobuf", detail="not a request a recording holds")
            device = tedapi.request_device(body, request.path_params.get("din"))
        prepared = ctx.replay.answer(request.method, path, key, device)
        if prepared is None:
            asked = f"{key} of {device}" if device else key
            what = f"{request.method} {request.url.path}" + (f" ({asked})" if asked else "")
            raise error("not_recorded", path=what, file=ctx.replay.recording.file.name)
        return _render(prepared, gateway)

    return endpoint


async def _not_recorded(request: Request) -> Response:
    replay = replay_context(request).replay
    path = request.url.path
    if path in {unquote(p) for p in replay.paths()}:  # recorded, but not with this method
        raise error("method_not_allowed", method=request.method, path=path)
    raise error("not_recorded", path=path, file=replay.recording.file.name)


def _render(prepared: Prepared, gateway: Gateway) -> Response:
    return Response(
        prepared.content,
        status_code=prepared.status,
        headers=headers_for(gateway.facts),
        media_type=prepared.content_type,
    )


def recorded_din(recording: Recording) -> str:
    """The DIN a v1r client signs for: the recorded gateway's, else the last GET /tedapi/din answer's."""
    din = recording.header.gateway.get("din")
    if isinstance(din, str) and din:
        return din
    answers = [r.text for r in recording.responses if r.path == "/tedapi/din" and r.status == 200 and r.text]
    return (answers[-1] or "").strip() if answers else ""


def recorded_serial(recording: Recording) -> str:
    """The recorded gateway serial if it is a usable one (a redacted GW0001 is), else the emulator's default."""
    serial = recording.header.gateway.get("serial")
    try:
        return validate_serial(serial) if isinstance(serial, str) else DEFAULT_SERIAL
    except ValueError:
        return DEFAULT_SERIAL


def recorded_timezone(recording: Recording) -> str:
    """The site's time zone from a recorded /api/site_info (login bodies show local times), else UTC."""
    for response in recording.responses:
        zone = (
            response.body.get("timezone")
            if response.path == "/api/site_info" and isinstance(response.body, dict)
            else None
        )
        if isinstance(zone, str) and _known_zone(zone):
            return zone
    return "UTC"


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
