"""An ASGI middleware in front of every gateway: applies fault rules and keeps the journal.

Pure ASGI (no BaseHTTPMiddleware), so a fault kind (emulator.http.fault_kinds) can delay, replace, cut
or drip a response exactly as a misbehaving gateway or network would.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.device.errors import API_LIMIT, GatewayError
from emulator.device.events_log import log
from emulator.device.gateway import Gateway
from emulator.device.rate_limits import RequestLimiter
from emulator.http.fault_kinds import KINDS
from emulator.http.fault_rule import FaultRule
from emulator.http.faults import FaultEngine, fired_in_route
from emulator.http.reply import render_error
from emulator.serving.at_once import Recorder
from emulator.serving.fast import FastReads
from emulator.serving.fast_tedapi import ROUTE_NAMES, SIGNED_PATH, FastTedapi, read_body, replaying
from emulator.serving.transport import abort_connection, admitted

_CONTROL_PREFIX = "/_emulator"


class TrafficMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultEngine,
        recorder: Recorder,
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
        self.recorder = recorder  # the journal entry and debug line every answered request leaves
        self.now = recorder.now  # () -> float: real seconds since the app was made
        self.sim_time = recorder.sim_time  # () -> float: the gateway's sim clock
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
                    self.recorder.record(scope, [], 200, began, sim_began, None)
                    self.recorder.debug(method, path, 200, began, self.fast.reads[path][0].name + " (cached bytes)")
                return
        if (
            rule is None
            and self.tedapi is not None
            and not (self.faults.rules and path == SIGNED_PATH)  # v1r's rules act inside its door: the route's
            and self.tedapi.length(scope) is not None
        ):
            request_body, whole = await read_body(receive)
            answer = self.tedapi.answer(path, request_body) if whole else None
            if answer is not None:
                try:
                    await self.tedapi.send(send, answer)
                finally:
                    self.recorder.record(scope, [request_body], 200, began, sim_began, None)
                    self.recorder.debug(method, path, 200, began, f"{ROUTE_NAMES[path]} (fast path)")
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
            fired = rule or fired_in_route(scope)
            self.recorder.record(scope, parts, status[0], began, sim_began, fired.id if fired else None)
            self.recorder.debug(method, path, status[0], began, getattr(scope.get("route"), "name", None) or "none")

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
            self.recorder.record(scope, [], 0, self.now(), now, None)
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
            self.recorder.record(scope, [], 429, began, sim_began, None)
            self.recorder.debug(scope["method"], scope["path"], 429, began, "rate limit")

    async def _answer(self, rule: FaultRule | None, scope: Scope, receive: Receive, send: Send) -> None:
        if rule is None:
            await self.app(scope, receive, send)
        else:
            await KINDS[rule.kind].apply(rule, self.app, scope, receive, send, abort_connection)


def _client(scope: Scope) -> str:
    """Who is asking: the remote address (a rate limit counts per client), or "-" when the server gives none."""
    client = scope.get("client")
    return str(client[0]) if client else "-"
