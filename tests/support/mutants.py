"""Deliberately broken gateways: the emulator with one contract violation each.

Each mutant wraps the emulator's ASGI app and changes one thing a real firmware bug could
change: a field dropped or retyped, a sign flipped, an enum misspelt, a wrong status, a
protected endpoint left open, a counter running backwards, the power balance broken. The
contract suite must fail on every one (tests/contract_meta/test_contract_mutants.py).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.http.context import app_context

Body = Any
Edit = Callable[[Body], Body]


@dataclass(frozen=True)
class Mutant:
    name: str
    firmware: str
    path: str | None = None  # the response to change (None: the request side only)
    edit: Edit | None = None  # JSON body -> JSON body
    status: int | None = None  # answer this status instead
    content_type: str | None = None
    open_up: bool = False  # send the request on with valid credentials whatever it carried
    accept_any_password: bool = False
    keep_session_on_logout: bool = False
    strip_cookies: bool = False
    login_keeps_sitemaster: bool = False  # a login leaves sitemaster running (1.15.0 stops it)
    tedapi_open: bool = False  # the TEDAPI answers whatever Basic credentials (or none) a request carries
    applies_at_once: bool = False  # POST /api/operation takes effect without GET /api/config/completed
    start_hour_utc: int = 19  # 12:00 in Los Angeles; 03:00 UTC is 20:00 there: no sun, the battery carries the house


def _set(path: str, value: Callable[[Any], Any]) -> Edit:
    """Change one field (dotted path) of the body with ``value(old)``."""
    keys = path.split(".")

    def edit(body: Body) -> Body:
        node = body
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[keys[-1]] = value(node[keys[-1]])
        return body

    return edit


def _drop(path: str) -> Edit:
    keys = path.split(".")

    def edit(body: Body) -> Body:
        node = body
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
        return body

    return edit


_START = time.monotonic()


def _backwards(old: float) -> float:
    return old - (time.monotonic() - _START) * 100_000


def _each_meter(field: str, value: Callable[[Any], Any]) -> Edit:
    def edit(body: Body) -> Body:
        for meter in body.values():
            meter[field] = value(meter[field])
        return body

    return edit


AGG = "/api/meters/aggregates"
MUTANTS = [
    Mutant("aggregates: site.instant_power dropped", "24.4.0", AGG, _drop("site.instant_power")),
    Mutant("soe: percentage dropped", "1.15.0", "/api/system_status/soe", _drop("percentage")),
    Mutant("aggregates: battery.instant_power as a string", "1.15.0", AGG, _set("battery.instant_power", str)),
    Mutant("status: up_time_seconds as a number", "24.4.0", "/api/status", _set("up_time_seconds", lambda v: 5.0)),
    Mutant("aggregates: solar sign flipped", "24.4.0", AGG, _set("solar.instant_power", lambda v: -v)),
    Mutant(
        "system_status: battery block p_out sign flipped",
        "24.4.0",
        "/api/system_status",
        _set("battery_blocks.0.p_out", lambda v: -v + 3000),
    ),
    Mutant(
        "grid_status: enum misspelt",
        "1.15.0",
        "/api/system_status/grid_status",
        _set("grid_status", lambda v: "SystemGridConected"),
    ),
    Mutant(
        "operation: real_mode misspelt", "24.4.0", "/api/operation", _set("real_mode", lambda v: "self-consumption")
    ),
    Mutant("site_info: 404 instead of 200", "1.15.0", "/api/site_info", status=404),
    Mutant("aggregates: 502 while sitemaster runs", "24.4.0", AGG, status=502),
    Mutant("status: text/plain content type", "1.15.0", "/api/status", content_type="text/plain"),
    Mutant("operation left open (24.4.0)", "24.4.0", "/api/operation", open_up=True),
    Mutant("config left open (1.15.0)", "1.15.0", "/api/config", open_up=True),
    Mutant("any password accepted", "24.4.0", accept_any_password=True),
    Mutant("logout does not revoke", "24.4.0", keep_session_on_logout=True),
    Mutant("login sets no cookies", "24.4.0", "/api/login/Basic", strip_cookies=True),
    Mutant("aggregates: site.energy_imported runs backwards", "1.15.0", AGG, _set("site.energy_imported", _backwards)),
    Mutant("aggregates: every counter frozen", "24.4.0", AGG, _each_meter("energy_exported", lambda v: 1000.0)),
    Mutant("aggregates: load off balance by 500 W", "1.15.0", AGG, _set("load.instant_power", lambda v: v + 500)),
    Mutant("soe: 101 %", "24.4.0", "/api/system_status/soe", _set("percentage", lambda v: 101.0)),
    Mutant(
        "system_status: energy remaining halved",
        "24.4.0",
        "/api/system_status",
        _set("nominal_energy_remaining", lambda v: v / 2),
    ),
    Mutant("powerwalls: one listed twice", "24.4.0", "/api/powerwalls", _set("powerwalls", lambda v: v + v)),
    Mutant("aggregates: 55 Hz on a 60 Hz grid", "24.4.0", AGG, _each_meter("frequency", lambda v: 55.0 if v else v)),
    Mutant("sitemaster: reports stopped while running", "1.15.0", "/api/sitemaster", _set("running", lambda v: False)),
    # The facts that moved into schemas/firmware/: each broken as a firmware bug would break it.
    Mutant("a 1.15.0 login leaves sitemaster running", "1.15.0", login_keeps_sitemaster=True),
    Mutant("soe left open on 24.4.0 (open only on 1.x)", "24.4.0", "/api/system_status/soe", open_up=True),
    Mutant("TEDAPI answers without the gateway password", "25.10.1", tedapi_open=True),
    Mutant("a staged 1.15.0 operation applies at once", "1.15.0", applies_at_once=True, start_hour_utc=3),
]


class MutatedGateway:
    """ASGI middleware applying one mutant to an emulator app."""

    def __init__(self, app: ASGIApp, mutant: Mutant, valid_token: str, password: str) -> None:
        self.app, self.mutant, self.token, self.password = app, mutant, valid_token, password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        m, path = self.mutant, scope["path"]
        if m.open_up and path == m.path:
            scope = _with_header(scope, b"authorization", f"Bearer {self.token}".encode())
        if m.tedapi_open and path.startswith("/tedapi/"):
            secret = base64.b64encode(f"Tesla_Energy_Device:{self.app.state.gateway.gw_password}".encode())  # type: ignore[attr-defined]
            scope = _with_header(scope, b"authorization", b"Basic " + secret)
        if m.keep_session_on_logout and path == "/api/logout":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        if m.accept_any_password and path == "/api/login/Basic":
            receive = await _replace_password(receive, self.password)
        if path != m.path or not (m.edit or m.status or m.content_type or m.strip_cookies):
            await self.app(scope, receive, send)
            self._after(scope)
            return
        await self._rewrite(scope, receive, send)

    def _after(self, scope: Scope) -> None:
        """Undo, behind the client's back, what the firmware facts say a request does."""
        assert isinstance(self.app, Starlette)  # mutants wrap the emulator's own app
        gateway = app_context(self.app).gateway
        if self.mutant.login_keeps_sitemaster and scope["path"] == "/api/login/Basic":
            gateway.run_sitemaster()
        if self.mutant.applies_at_once and scope["path"] == "/api/operation" and scope["method"] == "POST":
            gateway.commit_config()

    async def _rewrite(self, scope: Scope, receive: Receive, send: Send) -> None:
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    await self._send_changed(started, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _send_changed(self, start: dict[str, Any], body: bytes, send: Send) -> None:
        m = self.mutant
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        if m.edit and start["status"] == 200:
            body = json.dumps(m.edit(json.loads(body))).encode()
        if m.content_type:
            headers = [(k, v) for k, v in headers if k.lower() != b"content-type"] + [
                (b"content-type", m.content_type.encode())
            ]
        if m.strip_cookies:
            headers = [(k, v) for k, v in headers if k.lower() != b"set-cookie"]
        status = m.status or start["status"]
        if m.status == 502:
            body, headers = b"", [(k, v) for k, v in headers if k.lower() != b"content-type"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _with_header(scope: Scope, name: bytes, value: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k not in (name, b"cookie")] + [(name, value)]
    return {**scope, "headers": headers}


async def _replace_password(receive: Receive, password: str) -> Receive:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    try:
        parsed = json.loads(body)
        parsed["password"] = password
        body = json.dumps(parsed).encode()
    except (ValueError, TypeError):
        pass
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
