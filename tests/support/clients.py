"""A live emulator over HTTPS for the real client libraries (module-scoped: clients are slow to log in)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.device.gateway import Gateway
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed


@dataclass
class LiveGateway:
    gateway: Gateway
    server: ServerThread

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    @property
    def url(self) -> str:
        return self.server.url

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        response = httpx.request(method, self.url + "/_emulator/" + path, json=body, verify=False, timeout=10)
        response.raise_for_status()
        return response.json()


def live_gateway(**options: Any) -> Iterator[LiveGateway]:
    options.setdefault("firmware", "24.4.0")
    options.setdefault("paused", True)
    gateway = build_gateway(EmulatorOptions(**options))
    with ServerThread(create_app(gateway), tls=self_signed().identity) as server:
        yield LiveGateway(gateway, server)
