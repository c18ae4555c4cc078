"""The ASGI application: /api/ routes, the control API, and error rendering in one place."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Router

from emulator.api import snapshot_reads
from emulator.contract import FirmwareFacts
from emulator.device.errors import GatewayError, error
from emulator.device.gateway import Gateway
from emulator.http.context import AppContext, app_context, attach, find_context
from emulator.http.faults import FaultEngine, Stallable
from emulator.http.guard import ControlGuard, ControlPolicy
from emulator.http.journal import Journal
from emulator.http.reply import render_error
from emulator.http.turn import WaitForJump
from emulator.serving.at_once import AtOnce, Recorder
from emulator.serving.fast import FastReads
from emulator.serving.fast_tedapi import FastTedapi
from emulator.serving.middleware import TrafficMiddleware
from emulator.serving.transport import CutOnStop

if TYPE_CHECKING:
    from emulator.scenario.spec import Scenario  # a served scenario comes loaded: none is read at start

log = logging.getLogger("teg_emulator")
_SNAPSHOT_READS = snapshot_reads()


def create_app(
    gateway: Gateway,
    *,
    journal_size: int = 1000,
    fault_seed: int | None = None,
    tls: Stallable = False,
    scenario: Scenario | None = None,
    control: ControlPolicy | None = None,
) -> Starlette:
    """A Starlette app serving one gateway, with fault injection and a request journal in front.

    ``tls`` says whether it will be served over HTTPS on a listener of its own (only then can a
    TLS handshake be stalled); a string instead says why a handshake cannot be stalled; a function says which
    at each tls_stall rule (a port whose transport follows its firmware).
    ``control`` guards /_emulator (token, extra host names; see emulator.http.guard).
    """
    fast = FastReads(gateway, _SNAPSHOT_READS)
    app = gateway_app(
        gateway,
        _routes,
        journal_size=journal_size,
        fault_seed=fault_seed,
        tls=tls,
        fast=fast,
        tedapi=FastTedapi(gateway),
        control=control,
    )
    app_context(app).scenario = scenario
    return app


@cache
def _routes() -> list[BaseRoute]:
    """Every gateway's routes: stateless, so a fleet's members share one set instead of building their own.

    Made at the first request that reaches the router, with the modules behind them (the control API, the
    TEDAPI's routes, the web pages, the served spec): the polls a start is first asked for are answered
    without the router (serving/fast.py, serving/at_once.py), and a start is the shorter for it.
    """
    from emulator.api import API_ROUTES
    from emulator.control.authorized_clients import AUTHORIZED_CLIENT_ROUTES
    from emulator.control.firmware import FIRMWARE_ROUTES
    from emulator.control.limits import LIMIT_ROUTES
    from emulator.control.routes import CONTROL_ROUTES
    from emulator.control.scenario import SCENARIO_ROUTES
    from emulator.control.traffic import TRAFFIC_ROUTES
    from emulator.serving.docs import docs_routes
    from emulator.tedapi.routes import ROUTES as TEDAPI_ROUTES
    from emulator.web import web_routes

    return [
        *TEDAPI_ROUTES,  # first: pypowerwall's polls of /tedapi/v1 skip ~60 /api regexes (no path is shared)
        *API_ROUTES,
        *CONTROL_ROUTES,
        *FIRMWARE_ROUTES,
        *LIMIT_ROUTES,
        *AUTHORIZED_CLIENT_ROUTES,
        *TRAFFIC_ROUTES,
        *SCENARIO_ROUTES,
        *docs_routes(),
        *web_routes(),
    ]


class GatewayApp(Starlette):
    """A gateway's Starlette app, with the answers its httptools protocol may write at once (serving/at_once.py)."""

    answer_at_once: AtOnce | None = None


class _MadeWhenUsed(Router):
    """A router whose routes are made when first used (matched, listed, or a URL built from them)."""

    _made: list[BaseRoute] | None = None

    def __init__(self, make: Callable[[], list[BaseRoute]]) -> None:
        super().__init__()
        self._make = make

    @property  # Router's plain attribute, read and written the same way
    def routes(self) -> list[BaseRoute]:
        if self._made is None:
            self._made = self._make()
        return self._made

    @routes.setter
    def routes(self, routes: list[BaseRoute]) -> None:
        self._made = routes or None  # Router.__init__ starts with []: still to be made


def gateway_app(
    gateway: Gateway,
    routes: list[BaseRoute] | Callable[[], list[BaseRoute]],
    *,
    journal_size: int = 1000,
    fault_seed: int | None = None,
    tls: Stallable = False,
    control: ControlPolicy | None = None,
    fast: FastReads | None = None,
    tedapi: FastTedapi | None = None,
) -> GatewayApp:
    """Any routes behind the gateway's faults, journal and error rendering (the live app, a replay); ``routes``
    may be a function that makes them, called when the router is first used."""
    started = time.monotonic()

    def traffic_clock() -> float:
        return time.monotonic() - started

    faults = FaultEngine(gateway.config.seed if fault_seed is None else fault_seed, tls=tls, clock=traffic_clock)
    journal = Journal(journal_size)
    recorder = Recorder(journal, gateway.clock.now, traffic_clock, gateway)

    app = GatewayApp(
        routes=routes if isinstance(routes, list) else None,
        middleware=[
            Middleware(CutOnStop),
            Middleware(ControlGuard, policy=control),
            Middleware(
                TrafficMiddleware,
                faults=faults,
                recorder=recorder,
                fast=fast,
                gateway=gateway,
                tedapi=tedapi,
            ),
            Middleware(WaitForJump, gateway=gateway),
        ],
        exception_handlers={
            GatewayError: _gateway_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
    )
    if not isinstance(routes, list):
        app.router = _MadeWhenUsed(routes)  # before the middleware stack is built (at the first request)
    if fast is not None or tedapi is not None:
        app.answer_at_once = AtOnce(faults, recorder, fast, tedapi, gateway)
    attach(app, AppContext(gateway, faults, journal, traffic_clock, control=control or ControlPolicy()))
    return app


def _facts(request: Request) -> FirmwareFacts | None:
    """The firmware whose error shape to answer in; None while the app is not built yet."""
    ctx = find_context(request.app)
    return ctx.gateway.facts if ctx is not None else None


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return render_error(exc, _facts(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        failure = error("not_found", path=request.url.path)
    elif exc.status_code == 405:
        failure = error("method_not_allowed", method=request.method, path=request.url.path)
    else:
        failure = GatewayError(exc.status_code, exc.detail, exc.detail)  # Starlette's own phrase
    response = render_error(failure, _facts(request))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug in the emulator: log it for the developer, answer JSON without a traceback.

    Not a ConnectionAbortedError: that is a connection cut on purpose (a drop fault, a reboot) in an app served
    without a socket to cut (in process, through ASGI), which raises to its client instead.
    """
    if isinstance(exc, ConnectionAbortedError):
        return Response(status_code=500)
    log.exception("unexpected error while answering %s %s", request.method, request.url.path)
    ctx = find_context(request.app)
    if ctx is not None:
        ctx.failures.append(f"{request.method} {request.url.path} raised {exc!r}")
    return render_error(error("unexpected"), _facts(request))
