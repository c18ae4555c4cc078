"""An ASGI middleware in front of every gateway: applies fault rules and keeps the journal.

Pure ASGI (no BaseHTTPMiddleware), so a fault kind (emulator.http.fault_kinds) can delay, replace, cut
or drip a response exactly as a misbehaving gateway or network would.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.device.errors import API_LIMIT, GatewayError
from emulator.device.events_log import log
from emulator.device.firmware_update import DONE_PHASE
from emulator.device.gateway import Gateway
from emulator.device.rate_limits import RequestLimiter
from emulator.http.fault_kinds import KINDS
from emulator.http.fault_rule import FaultRule
from emulator.http.faults import FaultEngine, fired_in_route
from emulator.http.journal import Journal, redact_body, redact_headers, redact_query, shared
from emulator.http.reply import render_error
from emulator.serving.fast import FastReads
from emulator.serving.fast_tedapi import FastTedapi, read_body, replaying
from emulator.serving.transport import abort_connection, admitted

_CONTROL_PREFIX = "/_emulator"


class TrafficMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultEngine,
        journal: Journal,
        sim_time: Any,
        clock: Any,
        fast: FastReads | None = None,
        gateway: Gateway | None = None,
        tedapi: FastTedapi | None = None,
    ) -> None:
        self.app = app
        # a firmware update's reboot cuts its requests (emulator.device.firmware_update); then its rate limits
        # answer 429 before anything else (emulator.device.rate_limits)
        self.gateway = gateway
        self.limits = gateway.rate_limits if gateway is not None else RequestLimiter(None, float)
        self.faults = faults
        self.journal = journal
        self.sim_time = sim_time  # () -> float: the gateway's sim clock
        self.now = clock  # () -> float: real seconds since the app was made
        self.fast = fast  # answers polls of snapshot reads from cached bytes when no fault rule exists
        self.tedapi = tedapi  # answers pypowerwall's TEDAPI polls without the router, likewise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if path.startswith(_CONTROL_PREFIX):  # the harness driving the emulator: neither faulted nor journaled
            await self.app(scope, receive, send)
            return
        began, sim_began = self.now(), self.sim_time()
        if self.gateway is not None and self.gateway.firmware.ever and self._rebooted(scope, sim_began):
            return
        if self.limits.policy is not None and not self.limits.allow(_client(scope), path):
            await self._too_fast(scope, receive, send, began, sim_began)
            return
        rule = self.faults.pick(method, path, began) if self.faults.rules else None
        if rule is None and self.fast is not None:
            body = self.fast.body_for(scope)
            if body is not None:
                try:
                    await self.fast.send(send, body)
                finally:
                    self._record(scope, [], 200, began, sim_began, None)
                    self._debug(method, path, 200, began, self.fast.reads[path][0].name + " (cached bytes)")
                return
        if rule is None and self.tedapi is not None and self.tedapi.length(scope) is not None:
            request_body, whole = await read_body(receive)
            answer = self.tedapi.answer(request_body) if whole else None
            if answer is not None:
                try:
                    await self.tedapi.send(send, answer)
                finally:
                    self._record(scope, [request_body], 200, began, sim_began, None)
                    self._debug(method, path, 200, began, "tedapi.v1 (fast path)")
                return
            receive = replaying(request_body, whole, receive)  # the full stack answers, reading the same body
        parts: list[bytes] = []
        status = [0]

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                parts.append(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        has_body = any(k in (b"content-length", b"transfer-encoding") for k, _ in scope.get("headers", ()))
        if rule is not None:
            log.info("fault %s (%s) fired on %s %s", rule.id, rule.kind, method, path)
        try:
            await self._answer(rule, scope, recording_receive if has_body else receive, recording_send)
        finally:
            self._record(scope, parts, status[0], began, sim_began, rule or fired_in_route(scope))
            self._debug(method, path, status[0], began, getattr(scope.get("route"), "name", None) or "none")

    def _rebooted(self, scope: Scope, now: float) -> bool:
        """Cut a request the gateway cannot answer: it is rebooting into new firmware, or the request came on a
        connection opened before the reboot (a rebooted gateway knows nothing of it). True when cut.

        Otherwise, once the reboot has begun, the gateway steps to it before anything reads its facts (the
        fast path, the routes' auth), so the first request after it is answered by the new firmware.
        """
        gateway = self.gateway
        assert gateway is not None
        if gateway.firmware.cut(admitted(scope), now):
            log.info("%s %s cut: the gateway is rebooting into new firmware", scope["method"], scope["path"])
            self._record(scope, [], 0, self.now(), now, None)
            if not abort_connection(scope):
                raise ConnectionAbortedError("the gateway is rebooting")  # no server below: nothing to cut
            return True
        if gateway.firmware.switch_due(now) and not gateway.catching_up:
            gateway.catch_up()
        return False

    async def _too_fast(self, scope: Scope, receive: Receive, send: Send, began: float, sim_began: float) -> None:
        """The gateway's 429 for a client over its rate limit, in the firmware's words; journaled like any answer."""
        assert self.gateway is not None  # limits are only on for a gateway's own
        facts = self.gateway.facts
        try:
            await render_error(GatewayError.of(facts.throttled or API_LIMIT), facts)(scope, receive, send)
        finally:
            self._record(scope, [], 429, began, sim_began, None)
            self._debug(scope["method"], scope["path"], 429, began, "rate limit")

    def _debug(self, method: str, path: str, status: int, began: float, route: str) -> None:
        """--log-level debug: each request's route and latency (never its headers or body)."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %d in %.1f ms (route %s)", method, path, status, (self.now() - began) * 1000, route)

    async def _answer(self, rule: FaultRule | None, scope: Scope, receive: Receive, send: Send) -> None:
        if rule is None:
            await self.app(scope, receive, send)
        else:
            await KINDS[rule.kind].apply(rule, self.app, scope, receive, send, abort_connection)

    def _record(
        self, scope: Scope, parts: list[bytes], status: int, began: float, sim_began: float, rule: FaultRule | None
    ) -> None:
        headers = redact_headers(scope.get("headers", []))
        body = b"".join(parts)
        content_type = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), "") if body else ""
        self.journal.record(
            began,
            sim_began,
            scope["method"],
            shared(scope["path"]),
            shared(redact_query(scope["query_string"].decode("latin-1"))) if scope.get("query_string") else "",
            headers,
            redact_body(body, content_type),
            status,
            (self.now() - began) * 1000,
            rule.id if rule else None,
            *self._firmware(sim_began),
        )

    def _firmware(self, sim_began: float) -> tuple[str | None, str | None]:
        """The version that answered, and a firmware update's phase when the request arrived (if one is under way)."""
        gateway = self.gateway
        if gateway is None:
            return None, None
        change = gateway.firmware.change
        phase = change.phase_at(sim_began) if change is not None else None
        version = gateway.firmware.facts_at(sim_began, gateway.facts).version
        return shared(version), None if phase == DONE_PHASE else phase


def _client(scope: Scope) -> str:
    """Who is asking: the remote address (a rate limit counts per client), or "-" when the server gives none."""
    client = scope.get("client")
    return str(client[0]) if client else "-"
