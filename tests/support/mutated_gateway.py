"""The ASGI middleware that serves a :class:`~tests.support.mutants.Mutant`: the emulator with one fault.

It changes a request on its way in (credentials added, a password replaced, a v1r request signed again:
tests/support/v1r_mutants.py), a response on its way out (a JSON field edited, a status, a content type,
cookies stripped), or undoes behind the client's back what the firmware facts say a request does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.contract.v1r import SigningKey
from emulator.device import commands
from emulator.device.gateway import Gateway
from emulator.http.context import app_context
from tests.support import v1r_mutants, v1r_replies
from tests.support.mutant import Mutant


class MutatedGateway:
    """ASGI middleware applying one mutant to an emulator app."""

    def __init__(
        self, app: ASGIApp, mutant: Mutant, valid_token: str, password: str, keys: dict[bytes, SigningKey]
    ) -> None:
        self.app, self.mutant, self.token, self.password = app, mutant, valid_token, password
        self.keys = keys  # the v1r keys the test registered, by public key DER

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
            receive = await _rewritten(receive, lambda body: _with_password(body, self.password))
        if m.v1r and path == "/tedapi/v1r":
            gateway, kind = self._gateway(), m.v1r
            receive = await _rewritten(receive, lambda body: v1r_mutants.rewrite(kind, body, gateway, self.keys))
        v1r_reply = m.v1r_reply is not None and path == "/tedapi/v1r"
        if not v1r_reply and (path != m.path or not (m.edit or m.status or m.content_type or m.strip_cookies)):
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
            commands.run_sitemaster(gateway)
        if self.mutant.applies_at_once and scope["path"] == "/api/operation" and scope["method"] == "POST":
            commands.commit_config(gateway)

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
        if m.v1r_reply and start["status"] == 200:
            body = v1r_replies.edit(m.v1r_reply, body, self._gateway())
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


def _with_password(body: bytes, password: str) -> bytes:
    try:
        parsed = json.loads(body)
        parsed["password"] = password
        return json.dumps(parsed).encode()
    except (ValueError, TypeError):
        return body


async def _rewritten(receive: Receive, edit: Callable[[bytes], bytes]) -> Receive:
    """The request body read whole, changed by ``edit``, and handed on as one message."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    body = edit(body)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
