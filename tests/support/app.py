"""The in-process emulator's helpers the conftest fixtures and the HTTP tier share."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from emulator.device.gateway import Gateway
from emulator.http.context import app_context


class FakeMonotonic:
    """A monotonic clock the test moves by hand, so nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def gateway_of(client: TestClient) -> Gateway:
    """The gateway behind an in-process client of the emulator's app."""
    assert isinstance(client.app, Starlette)
    return app_context(client.app).gateway


def login_1_15(client: TestClient, serial: str = "T123456789") -> dict[str, str]:
    response = client.post("/api/login/Basic", json={"username": "", "password": "S" + serial, "force_sm_off": False})
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["token"]}
