"""Fault kinds, declared once: each is one class that checks a rule and applies it to a request.

The registry (:data:`KINDS`) is the one list of kinds. The control API's schema
(schemas/control/fault.json's ``kind`` enum), the faults page (docs/faults.md) and the control panel
(which reads that schema) are checked against it by tests/test_fault_kinds.py, so a kind added here and
not there fails the suite. A new kind is a subclass registered with :func:`register`: it says which rule
fields it takes, refuses a rule it cannot serve (:meth:`FaultKind.check`), and answers a request it fires
on (:meth:`FaultKind.apply`), pure ASGI, so it can delay, replace, cut or drip a response.

Most kinds fire around the app, in the middleware, on the method and path alone. Two families fire elsewhere,
where what they act on is known: a TLS handshake stall in the server (``at_handshake``), and the TEDAPI v1r
door's faults inside its route (``in_route``, emulator.tedapi.fault_kinds), which only fire on a signed request
the gateway would otherwise answer, chosen by the command it carries. Those register from their own layer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, ClassVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.contract import operations
from emulator.http.drift import PointerError, check_against, drifted, parse_pointer
from emulator.http.fault_rule import FaultRule

Abort = Callable[[Scope], bool]
"""Drops the request's connection at once; False when the server cannot (the transport knows how)."""

MALFORMED_BODY = b'{"site":{"instant_power":12.5,"frequency":60,,"energy_exported":NaN'


class RuleError(ValueError):
    """A rule this kind cannot serve; the message says why (the control API answers it as a 400)."""


class FaultKind:
    """One kind of misbehaviour. Subclasses set ``name`` and ``fields`` and override what differs."""

    name: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ()  # the rule fields this kind reads (the panel shows those)
    at_handshake: ClassVar[bool] = False  # fires on a new TLS connection, before any request
    in_route: ClassVar[bool] = False  # fired by the route that answers (FaultEngine.pick_in_route), not around it

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        """Refuse a rule this kind cannot serve (``tls``: whether a handshake can be stalled, or why not)."""
        if spec.get("preset"):
            raise RuleError("a preset only applies to kind 'status'")

    def check_targets(self, spec: dict[str, Any], templates: list[str]) -> None:
        """Refuse a rule that cannot act on the paths it matches (``templates``: the served routes its pattern hits)."""

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        """Answer the request this rule fired on."""
        raise NotImplementedError


KINDS: dict[str, FaultKind] = {}
"""Every fault kind by name, in the order the docs and the panel list them."""


def register(kind: type[FaultKind]) -> type[FaultKind]:
    """Add a kind to :data:`KINDS` (a class decorator); a name is registered once."""
    if kind.name in KINDS:
        raise ValueError(f"fault kind {kind.name!r} is already registered")
    KINDS[kind.name] = kind()
    return kind


@register
class Latency(FaultKind):
    name = "latency"
    fields = ("latency_ms",)

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        await asyncio.sleep(rule.latency_ms / 1000)
        await app(scope, receive, send)


@register
class Status(FaultKind):
    name = "status"
    fields = ("status", "preset", "body")

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        pass

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        if rule.body is None:
            body, content_type = b"", None
        elif isinstance(rule.body, str):
            body, content_type = rule.body.encode(), b"text/plain; charset=utf-8"
        else:
            body, content_type = json.dumps(rule.body, separators=(",", ":")).encode(), b"application/json"
        headers = [(b"content-length", str(len(body)).encode())]
        if content_type:
            headers.append((b"content-type", content_type))
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@register
class Drop(FaultKind):
    name = "drop"

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        if abort(scope):
            await asyncio.sleep(0)  # let the transport report the loss before the cycle ends
        else:
            raise ConnectionAbortedError("fault: connection dropped")


@register
class Truncate(FaultKind):
    name = "truncate"

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        start, body = await _capture(app, scope, receive)
        cut = body[: max(1, len(body) // 2)] if body else b""
        await send(_with_length(start, len(cut)))
        await send({"type": "http.response.body", "body": cut})


@register
class Malformed(FaultKind):
    name = "malformed"

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        start, _ = await _capture(app, scope, receive)
        await send(_with_length({**start, "status": 200}, len(MALFORMED_BODY), b"application/json"))
        await send({"type": "http.response.body", "body": MALFORMED_BODY})


@register
class SlowBody(FaultKind):
    name = "slow_body"
    fields = ("chunk_delay_ms",)

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        start, body = await _capture(app, scope, receive)
        await send(_with_length(start, len(body)))
        size = max(1, len(body) // 8)
        for offset in range(0, len(body), size):
            await asyncio.sleep(rule.chunk_delay_ms / 1000)
            await send({"type": "http.response.body", "body": body[offset : offset + size], "more_body": True})
        await send({"type": "http.response.body", "body": b""})


@register
class TlsStall(FaultKind):
    """Held by the server's TLS handshake (emulator.serving.gate), never by a request."""

    name = "tls_stall"
    fields = ("stall_s",)
    at_handshake = True

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        super().check(spec, tls)
        if tls is not True:
            raise RuleError(tls or "tls_stall needs an HTTPS server (start it with TLS)")
        if spec["path"] != "*" or spec.get("method"):
            raise RuleError("tls_stall happens before any request: use path '*' and no method")


@register
class Drift(FaultKind):
    """The JSON body edited at a pointer (emulator.http.drift): a key removed, a value null or "", a type changed."""

    name = "drift"
    fields = ("drift", "pointer")

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        super().check(spec, tls)
        try:
            parse_pointer(spec["pointer"])
        except PointerError as exc:
            raise RuleError(str(exc)) from None

    def check_targets(self, spec: dict[str, Any], templates: list[str]) -> None:
        """The pointer must reach a value in the body of some endpoint the rule matches (its response schema)."""
        tokens = parse_pointer(spec["pointer"])
        method = (spec.get("method") or "").upper()
        schemas = sorted(
            {
                name
                for op in operations()
                if op.path in templates and (not method or op.method == method)
                for status in op.responses
                if status.startswith("2") and (name := op.response_schema(int(status))) is not None
            }
        )
        if not schemas:
            raise RuleError(f"path pattern {spec['path']!r} matches no endpoint that answers JSON: nothing to drift")
        problems = [check_against(name, tokens) for name in schemas]
        refusals = [problem for problem in problems if problem is not None]
        if len(refusals) == len(problems):
            raise RuleError(f"pointer {refusals[0]}" if len(refusals) == 1 else f"pointer: {'; '.join(refusals)}")

    async def apply(
        self, rule: FaultRule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, abort: Abort
    ) -> None:
        start, body = await _capture(app, scope, receive)
        content_type = next((v for k, v in start.get("headers", []) if k.lower() == b"content-type"), b"")
        if content_type.startswith(b"application/json") and body:
            try:
                document = json.loads(body)
            except ValueError:
                document = None
            if document is not None and drifted(document, parse_pointer(rule.pointer), rule.drift):
                body = json.dumps(document, separators=(",", ":")).encode()
        await send(_with_length(start, len(body)))
        await send({"type": "http.response.body", "body": body})


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    """Run the app to completion and hand back its response instead of sending it."""
    start: Message = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return start, b"".join(chunks)


def _with_length(start: Message, length: int, content_type: bytes | None = None) -> Message:
    headers = [
        (k, v)
        for k, v in start.get("headers", [])
        if k.lower() not in (b"content-length", b"content-type" if content_type else b"")
    ]
    headers.append((b"content-length", str(length).encode()))
    if content_type:
        headers.append((b"content-type", content_type))
    return {**start, "headers": headers}
