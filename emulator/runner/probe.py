"""Reading what a client would see: GET /_emulator/state and /api/ endpoints, in process.

Endpoint expectations are answered by the real app (routes, firmware
profile, auth, 502s and all) called as an ASGI function: no socket, no
thread, no HTTP client library. The probe reads as an already-logged-in
client, so it never causes a login's side effects (on 1.15.0 a login stops
sitemaster); open endpoints are read without credentials, as pollers do.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from emulator import contract
from emulator.control.routes import state_body
from emulator.device.gateway import Gateway
from emulator.device.sessions import Session, new_token
from emulator.serving.app import create_app

PROBE_USER = "teg-emulator-scenario"


class Probe:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._app: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._token: str | None = None

    def state(self) -> dict[str, Any]:
        """The body GET /_emulator/state would answer now."""
        return state_body(self.gateway)

    def get(self, path: str) -> tuple[int, Any]:
        """(status, decoded JSON body or None) of GET ``path`` now."""
        if self._app is None:
            self._app = create_app(self.gateway)
            self._loop = asyncio.new_event_loop()
        headers = [(b"host", b"gateway.local")]
        if self._needs_login(path):
            headers.append((b"authorization", b"Bearer " + self._session().encode()))
        assert self._loop is not None
        status, raw = self._loop.run_until_complete(_asgi_get(self._app, path, headers))
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    def _needs_login(self, path: str) -> bool:
        op = contract.operation_for("GET", path)
        return op is None or op.route is None or not self.gateway.profile.is_open(op.route, "GET")

    def _session(self) -> str:
        """A session as if a client had logged in earlier; re-made after a reset drops it."""
        gw = self.gateway
        if self._token is None or gw.authenticate(self._token) is None:
            self._token = new_token()
            gw.sessions.add(Session(self._token, PROBE_USER, None, gw.profile.login_roles, gw.clock.now()))
        return self._token


async def _asgi_get(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    status = [0]
    body = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], bytes(body)
