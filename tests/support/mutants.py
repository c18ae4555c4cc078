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

from emulator.device.gateway import Gateway
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
    # The contract checks whose failure names this fault ("module.py::test_name[param]", fnmatch patterns):
    # the suite must fail on one of these, not merely fail (tests/support/contract_runs.misjudged).
    caught_by: tuple[str, ...] = ()
    says: str | None = None  # and, where a check's name alone is too wide, what its message must say


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


def read_check(path: str) -> str:
    """The check that a read's status, content type and body are the contract's."""
    return f"test_endpoints.py::test_read_endpoint_answers_as_the_contract_says[*-GET {path}]"


def open_check(path: str) -> str:
    """The check that a protected read refuses a request without credentials."""
    return f"test_auth.py::test_protected_endpoint_refuses_no_credentials[*-GET {path}]"


AGG = "/api/meters/aggregates"
MUTANTS = [
    Mutant(
        "aggregates: site.instant_power dropped",
        "24.4.0",
        AGG,
        _drop("site.instant_power"),
        caught_by=(read_check(AGG), "test_consistency.py::*", "test_invariants.py::*"),
        says="'instant_power' is a required property",
    ),
    Mutant(
        "soe: percentage dropped",
        "1.15.0",
        "/api/system_status/soe",
        _drop("percentage"),
        caught_by=(read_check("/api/system_status/soe"),),
    ),
    Mutant(
        "aggregates: battery.instant_power as a string",
        "1.15.0",
        AGG,
        _set("battery.instant_power", str),
        caught_by=(read_check(AGG),),
    ),
    Mutant(
        "status: up_time_seconds as a number",
        "24.4.0",
        "/api/status",
        _set("up_time_seconds", lambda v: 5.0),
        caught_by=(read_check("/api/status"),),
    ),
    Mutant(
        "aggregates: solar sign flipped",
        "24.4.0",
        AGG,
        _set("solar.instant_power", lambda v: -v),
        caught_by=("test_invariants.py::test_home_load_is_the_sum_of_site_battery_and_solar[*]",),
    ),
    Mutant(
        "system_status: battery block p_out sign flipped",
        "24.4.0",
        "/api/system_status",
        _set("battery_blocks.0.p_out", lambda v: -v + 3000),
        caught_by=("test_consistency.py::test_battery_power_matches_the_blocks[*]",),
    ),
    Mutant(
        "grid_status: enum misspelt",
        "1.15.0",
        "/api/system_status/grid_status",
        _set("grid_status", lambda v: "SystemGridConected"),
        caught_by=(read_check("/api/system_status/grid_status"),),
    ),
    Mutant(
        "operation: real_mode misspelt",
        "24.4.0",
        "/api/operation",
        _set("real_mode", lambda v: "self-consumption"),
        caught_by=(read_check("/api/operation"),),
    ),
    Mutant(
        "site_info: 404 instead of 200",
        "1.15.0",
        "/api/site_info",
        status=404,
        caught_by=(read_check("/api/site_info"),),
    ),
    Mutant(
        "aggregates: 502 while sitemaster runs", "24.4.0", AGG, status=502, caught_by=(read_check(AGG), open_check(AGG))
    ),
    Mutant(
        "status: text/plain content type",
        "1.15.0",
        "/api/status",
        content_type="text/plain",
        caught_by=(read_check("/api/status"),),
    ),
    Mutant(
        "operation left open (24.4.0)",
        "24.4.0",
        "/api/operation",
        open_up=True,
        caught_by=(open_check("/api/operation"),),
    ),
    Mutant("config left open (1.15.0)", "1.15.0", "/api/config", open_up=True, caught_by=(open_check("/api/config"),)),
    Mutant(
        "any password accepted",
        "24.4.0",
        accept_any_password=True,
        caught_by=("test_auth.py::test_wrong_password_is_refused[*]",),
    ),
    Mutant(
        "logout does not revoke",
        "24.4.0",
        keep_session_on_logout=True,
        caught_by=(
            "test_auth.py::test_protected_endpoint_refuses_revoked_credentials[*]",
            "test_auth.py::test_logout_revokes_the_session[*]",
        ),
    ),
    Mutant(
        "login sets no cookies",
        "24.4.0",
        "/api/login/Basic",
        strip_cookies=True,
        caught_by=("test_auth.py::test_login_answers_as_the_contract_says[*]",),
        says="login set cookies",
    ),
    Mutant(
        "aggregates: site.energy_imported runs backwards",
        "1.15.0",
        AGG,
        _set("site.energy_imported", _backwards),
        caught_by=(read_check(AGG), "test_invariants.py::test_energy_counters_never_decrease[*]"),
        says="energy_imported",
    ),
    Mutant(
        "aggregates: every counter frozen",
        "24.4.0",
        AGG,
        _each_meter("energy_exported", lambda v: 1000.0),
        caught_by=(
            "test_consistency.py::test_meter_counters_match_the_aggregates[*]",
            "test_invariants.py::test_energy_counters_move_with_the_power_that_flows[*]",
        ),
    ),
    Mutant(
        "aggregates: load off balance by 500 W",
        "1.15.0",
        AGG,
        _set("load.instant_power", lambda v: v + 500),
        caught_by=("test_invariants.py::test_home_load_is_the_sum_of_site_battery_and_solar[*]",),
    ),
    Mutant(
        "soe: 101 %",
        "24.4.0",
        "/api/system_status/soe",
        _set("percentage", lambda v: 101.0),
        caught_by=(
            "test_consistency.py::test_soe_matches_the_energy_remaining[*]",
            read_check("/api/system_status/soe"),
            "test_invariants.py::test_state_of_energy_stays_within_0_and_100[*]",
        ),
    ),
    Mutant(
        "system_status: energy remaining halved",
        "24.4.0",
        "/api/system_status",
        _set("nominal_energy_remaining", lambda v: v / 2),
        caught_by=("test_consistency.py::test_soe_matches_the_energy_remaining[*]",),
    ),
    Mutant(
        "powerwalls: one listed twice",
        "24.4.0",
        "/api/powerwalls",
        _set("powerwalls", lambda v: v + v),
        caught_by=("test_consistency.py::test_powerwall_counts_agree[*]",),
    ),
    Mutant(
        "aggregates: 55 Hz on a 60 Hz grid",
        "24.4.0",
        AGG,
        _each_meter("frequency", lambda v: 55.0 if v else v),
        caught_by=("test_invariants.py::test_frequency_is_near_the_grid_codes_nominal[*]",),
    ),
    Mutant(
        "sitemaster: reports stopped while running",
        "1.15.0",
        "/api/sitemaster",
        _set("running", lambda v: False),
        caught_by=("test_endpoints.py::test_sitemaster_is_running_while_the_suite_reads[*]",),
    ),
    # The facts that moved into schemas/firmware/: each broken as a firmware bug would break it.
    Mutant(
        "a 1.15.0 login leaves sitemaster running",
        "1.15.0",
        login_keeps_sitemaster=True,
        caught_by=("test_disruptive.py::test_a_login_does_to_sitemaster_what_the_firmware_facts_say[*]",),
    ),
    Mutant(
        "soe left open on 24.4.0 (open only on 1.x)",
        "24.4.0",
        "/api/system_status/soe",
        open_up=True,
        caught_by=(open_check("/api/system_status/soe"),),
    ),
    Mutant(
        "TEDAPI answers without the gateway password",
        "25.10.1",
        tedapi_open=True,
        caught_by=("test_tedapi.py::test_tedapi_refuses_no_credentials_with_401[*]",),
    ),
    Mutant(
        "a staged 1.15.0 operation applies at once",
        "1.15.0",
        applies_at_once=True,
        start_hour_utc=3,
        caught_by=("test_writes.py::test_an_operation_change_takes_effect_when_the_firmware_facts_say[*]",),
    ),
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
            secret = base64.b64encode(f"Tesla_Energy_Device:{self._gateway().gw_password}".encode())
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

    def _gateway(self) -> Gateway:
        assert isinstance(self.app, Starlette)  # mutants wrap the emulator's own app
        return app_context(self.app).gateway

    def _after(self, scope: Scope) -> None:
        """Undo, behind the client's back, what the firmware facts say a request does."""
        gateway = self._gateway()
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
