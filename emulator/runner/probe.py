"""Reading what a client would see: GET /_emulator/state and /api/ endpoints, in process.

Every read is a request to the real app (routes, firmware facts, auth, 502s and all) through httpx's
ASGI transport: no socket, no thread, the same client code a test would use. The probe reads as an
already-logged-in client, so it never causes a login's side effects (on 1.15.0 a login stops
sitemaster); open endpoints are read without credentials, as pollers do.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from starlette.applications import Starlette

from emulator import contract
from emulator.device import direct_control
from emulator.device.gateway import Gateway
from emulator.firmware import profile_of

PROBE_USER = "teg-emulator-scenario"


class Probe:
    def __init__(self, gateway: Gateway, app: Starlette) -> None:
        self.gateway = gateway
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.local", timeout=None
        )
        self._token: str | None = None

    def state(self) -> dict[str, Any]:
        """The body GET /_emulator/state answers now."""
        status, body = self.get("/_emulator/state")
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"GET /_emulator/state answered {status}")
        return body

    def get(self, path: str) -> tuple[int, Any]:
        """(status, decoded JSON body or None) of GET ``path`` now; status 0: no answer (a reboot)."""
        if not path.startswith("/_emulator/") and self.gateway.firmware.down_at(self.gateway.clock.now()):
            return 0, None  # rebooting into new firmware: no answer at all
        headers = {"authorization": f"Bearer {self._session()}"} if self._needs_login(path) else {}
        response = self._loop.run_until_complete(self._client.get(path, headers=headers))
        try:
            return response.status_code, json.loads(response.content) if response.content else None
        except ValueError:
            return response.status_code, None

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()

    def _needs_login(self, path: str) -> bool:
        if path.startswith("/_emulator/"):
            return False
        op = contract.operation_for("GET", path)
        return op is None or op.route is None or not profile_of(self.gateway).is_open(op.route, "GET")

    def _session(self) -> str:
        """A session as if a client had logged in earlier; opened again after a reset drops it."""
        gw = self.gateway
        if self._token is None or gw.authenticate(self._token) is None:
            self._token = direct_control.open_session(gw, PROBE_USER).token
        return self._token
