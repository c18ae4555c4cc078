"""The in-process emulator's helpers the conftest fixtures and the HTTP tier share."""

from __future__ import annotations

from starlette.testclient import TestClient


class FakeMonotonic:
    """A monotonic clock the test moves by hand, so nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def login_1_15(client: TestClient, serial: str = "T123456789") -> dict[str, str]:
    response = client.post("/api/login/Basic", json={"username": "", "password": "S" + serial, "force_sm_off": False})
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["token"]}
