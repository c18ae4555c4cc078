"""Many independent gateways in one process, for those who test aggregators and fleet dashboards.

Each member is a full gateway (own serial, password, seed, state) behind its
own app. One uvicorn server listens on every member's port and routes each
request by the local port it arrived on, or, in host mode, by the Host name
(``gw-001.localhost``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.device.gateway import Gateway
from emulator.http.context import app_context
from emulator.http.guard import ControlGuard, ControlPolicy
from emulator.http.reply import dumps
from emulator.serving.assembly import assemble
from emulator.serving.limits import MAX_GATEWAYS
from emulator.serving.listener import Certificate
from emulator.serving.options import RunOptions
from emulator.serving.tls import TLSIdentity

FLEET_JOURNAL_ENTRIES = 250_000  # journal entries kept across a fleet (~0.25 KB each)
MIN_MEMBER_JOURNAL = 50


def member_journal_size(count: int) -> int:
    """Each member's journal: the usual 1,000 entries up to 250 gateways, then a share of the fleet's budget."""
    return min(1000, max(MIN_MEMBER_JOURNAL, FLEET_JOURNAL_ENTRIES // count))


@dataclass
class Member:
    index: int
    gateway: Gateway
    app: Starlette
    tls: TLSIdentity | None = None
    port: int = 0
    host_name: str = ""


def member_options(options: RunOptions, index: int, count: int) -> RunOptions:
    """Options for member ``index``: its own serial, seed and (if one was given) password."""
    if count == 1:
        return options
    serial = f"{options.gateway_serial[:17]}{index:03d}"
    password = f"{options.password}{index:03d}" if options.password else None
    return replace(options, gateway_serial=serial, seed=options.seed + index, password=password)


def host_name(index: int) -> str:
    """Member ``index``'s name in host mode: the Host header that picks it."""
    return f"gw-{index:03d}.localhost"


FLEET_FIXED_TRANSPORT = "a fleet's gateways share one server, whose ports cannot switch between HTTP and HTTPS"
HOST_MODE_NO_STALL = "tls_stall needs a listener per gateway: serve the fleet with --fleet-mode ports"


def build_fleet(
    options: RunOptions,
    count: int,
    *,
    mode: str = "ports",
    certificate: Certificate | None = None,
    control: ControlPolicy | None = None,
    indices: range | None = None,
) -> list[Member]:
    """``count`` members, each assembled from its own options; each has its own fault engine (seeded from
    ``fault_seed`` + index when given). ValueError with a one-line reason on bad options.

    ``indices`` (a shard's block, see shards.py) builds only those members of the ``count`` fleet,
    each exactly as the whole fleet would have it.
    """
    indices = range(1, count + 1) if indices is None else indices
    if not 1 <= len(indices) <= MAX_GATEWAYS:
        raise ValueError(f"one process serves between 1 and {MAX_GATEWAYS} gateways: split the fleet with --workers")
    if options.scenario is not None:
        raise ValueError("--scenario serves one gateway; leave out --gateways")
    members = []
    for index in indices:
        member = member_options(options, index, count)
        seed = None if options.fault_seed is None else options.fault_seed + index - 1
        built = assemble(
            replace(member, fault_seed=seed),
            certificate=certificate,
            control=control,
            journal_size=member_journal_size(count),
            stallable=HOST_MODE_NO_STALL
            if mode == "host"
            else None,  # host mode: the member is known after the handshake
        )
        app_context(built.app).fixed_transport = FLEET_FIXED_TRANSPORT
        members.append(Member(index, built.gateway, built.app, built.tls, host_name=host_name(index)))
    return members


class FleetApp:
    """Dispatches each request to a member by local port (``mode="ports"``) or Host name (``mode="host"``)."""

    def __init__(self, members: list[Member], mode: str, scheme: str, *, control: ControlPolicy | None = None) -> None:
        if mode not in ("ports", "host"):
            raise ValueError("fleet mode must be 'ports' or 'host'")
        self.members, self.mode, self.scheme = members, mode, scheme
        self.by_port = {m.port: m for m in members}
        self.by_host = {m.host_name: m for m in members}
        self._guarded = ControlGuard(self._dispatch, control)  # /_emulator/fleet lists every password

    def listing(self) -> list[dict[str, Any]]:
        return [
            {
                "index": m.index,
                "serial": m.gateway.identity.gateway_serial,
                "din": m.gateway.identity.din,
                "firmware": m.gateway.facts.version,
                "password": m.gateway.password,
                "url": self.url_of(m),
            }
            for m in self.members
        ]

    def url_of(self, member: Member) -> str:
        if self.mode == "host":
            port = self.members[0].port
            return f"{self.scheme}://{member.host_name}:{port}"
        return f"{self.scheme}://127.0.0.1:{member.port}"

    def stall_s_for(self, port: int) -> float:
        """How long to hold a new TLS handshake on ``port``: its member's tls_stall rules decide."""
        member = self.by_port.get(port) if self.mode == "ports" else None
        return app_context(member.app).faults.stall_s() if member is not None else 0.0

    def _member(self, scope: Scope) -> Member | None:
        if self.mode == "ports":
            server = scope.get("server") or (None, None)
            return self.by_port.get(server[1]) if isinstance(server[1], int) else None
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        return self.by_host.get(host.rsplit(":", 1)[0].lower())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._guarded(scope, receive, send)

    def answer_at_once(self, scope: Scope, body: bytes) -> tuple[bytes, bytes] | None:
        """The member's answer written at once (serving/at_once.py; never a /_emulator path, so never guarded)."""
        member = self._member(scope)
        at_once = getattr(member.app, "answer_at_once", None) if member is not None else None
        return at_once(scope, body) if at_once is not None else None

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/_emulator/fleet" and scope["method"] in ("GET", "HEAD"):
            await _json(send, 200, {"mode": self.mode, "gateways": self.listing()})
            return
        member = self._member(scope)
        if member is None:
            message = "unknown gateway; GET /_emulator/fleet lists them"
            await _json(send, 404, {"code": 404, "error": "Not Found", "message": message})
            return
        app: ASGIApp = member.app
        await app(scope, receive, send)


async def _json(send: Send, status: int, body: Any) -> None:
    payload = dumps(body)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
