"""What every /api/ route shares: the firmware decides, the handler asks the gateway, the reply renders once.

Routes are thin adapters: :func:`api_route` wraps a handler so that the
firmware profile decides whether the route exists and whether it needs a
login, the handler asks the gateway, and the reply is rendered by the HTTP
floor (emulator.http.reply), once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.contract import FirmwareFacts
from emulator.device.errors import error
from emulator.device.gateway import Gateway
from emulator.device.sessions import Session
from emulator.firmware import profile_of
from emulator.firmware.bodies import Bodies
from emulator.http.body import read_body, validate
from emulator.http.context import context
from emulator.http.credentials import authorize
from emulator.http.reply import Reply, dumps, render


@dataclass(slots=True)
class Ctx:
    """What a handler is given: the request, the gateway, and the session it was authorized by (if any)."""

    request: Request
    gateway: Gateway
    session: Session | None

    @property
    def facts(self) -> FirmwareFacts:
        return self.gateway.facts

    @property
    def bodies(self) -> Bodies:
        return profile_of(self.gateway).bodies

    async def body(self, schema: str, *, form_ok: bool = False) -> dict[str, Any]:
        """The request body, parsed and validated against ``schemas/<schema>``; 400 otherwise."""
        body: dict[str, Any] = validate(schema, await read_body(self.request, form_ok=form_ok))
        return body


Handler = Callable[[Ctx], Awaitable[Any]]


def sample_bytes(gateway: Gateway, name: str, *, live: bool) -> bytes:
    """The encoded body of snapshot read ``name`` for the latest sample: rendered once per sample, then shared.

    ``live`` reads answer 502 while sitemaster is stopped (raised as a GatewayError).
    """
    snap = gateway.live_snapshot() if live else gateway.snapshot()
    return gateway.rendered(name, snap, lambda: dumps(profile_of(gateway).bodies.renderers[name](snap)))


@dataclass(frozen=True, slots=True)
class SnapshotRead:
    """A GET whose 200 body is the firmware's renderer for this route name applied to the latest snapshot."""

    name: str
    live: bool = False

    async def __call__(self, ctx: Ctx) -> Reply:
        return Reply(200, raw=sample_bytes(ctx.gateway, self.name, live=self.live))


SNAPSHOT = SnapshotRead("")
"""A GET answered by the firmware's renderer of the same route name (the table gives it the name)."""
SNAPSHOT_LIVE = SnapshotRead("", live=True)
"""The same, for live data: 502 while sitemaster is stopped."""


class ApiRoute(Route):
    """A Route that remembers, when its GET is a snapshot read, which one (for the fast path)."""

    snapshot_read: SnapshotRead | None = None


def api_route(name: str, path: str, handlers: dict[str, Handler]) -> ApiRoute:
    """A Starlette route whose methods share one name for the firmware's existence and auth rules."""

    async def endpoint(request: Request) -> Response:
        gateway = context(request).gateway
        profile = profile_of(gateway)
        if not profile.serves(name):
            raise error("not_on_firmware", path=request.url.path, version=profile.facts.version)
        handler = handlers.get("GET" if request.method == "HEAD" else request.method)
        if handler is None:
            raise error("method_not_allowed", method=request.method, path=request.url.path)
        session = None if profile.is_open(name, request.method) else authorize(request, gateway)
        result = await handler(Ctx(request, gateway, session))
        return render(result, profile.facts)

    route = ApiRoute(path, endpoint, methods=sorted(handlers), name=name)
    route.snapshot_read = snapshot_read(path, handlers)
    return route


def snapshot_read(path: str, handlers: dict[str, Handler]) -> SnapshotRead | None:
    """The route's GET when it is a snapshot read of a fixed path (what the fast path can answer), else None."""
    read = handlers.get("GET")
    return read if isinstance(read, SnapshotRead) and "{" not in path else None
