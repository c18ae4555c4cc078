"""An ASGI middleware in front of every gateway: applies fault rules and keeps the journal.

Pure ASGI (no BaseHTTPMiddleware), so a fault kind (emulator.http.fault_kinds) can delay, replace, cut
or drip a response exactly as a misbehaving gateway or network would.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.device.events_log import log
from emulator.http.fault_kinds import KINDS
from emulator.http.fault_rule import FaultRule
from emulator.http.faults import FaultEngine
from emulator.serving.at_once import Recorder
from emulator.serving.fast import FastReads
from emulator.serving.fast_tedapi import FastTedapi, read_body, replaying
from emulator.serving.transport import abort_connection

_CONTROL_PREFIX = "/_emulator"


class TrafficMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultEngine,
        recorder: Recorder,
        fast: FastReads | None = None,
        tedapi: FastTedapi | None = None,
    ) -> None:
        self.app = app
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
        if rule is None and self.tedapi is not None and self.tedapi.length(scope) is not None:
            request_body, whole = await read_body(receive)
            answer = self.tedapi.answer(request_body) if whole else None
            if answer is not None:
                try:
                    await self.tedapi.send(send, answer)
                finally:
                    self.recorder.record(scope, [request_body], 200, began, sim_began, None)
                    self.recorder.debug(method, path, 200, began, "tedapi.v1 (fast path)")
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
            self.recorder.record(scope, parts, status[0], began, sim_began, rule.id if rule else None)
            self.recorder.debug(method, path, status[0], began, getattr(scope.get("route"), "name", None) or "none")

    async def _answer(self, rule: FaultRule | None, scope: Scope, receive: Receive, send: Send) -> None:
        if rule is None:
            await self.app(scope, receive, send)
        else:
            await KINDS[rule.kind].apply(rule, self.app, scope, receive, send, abort_connection)
