"""A 25.10.1 gateway in-process for the v1r HTTP tests: its TEDAPI password, its DIN, a TestClient on it.

The v1r tests (wire, faults, writes, answers) each built the same paused gateway with key slot 0 verified
(``emulator.testing.keys.private_key_pem(0)``) and read its DIN the same way.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.testing.keys import private_key_pem

GW_PASSWORD = "ABCDEFGHIJ"
VERIFIED = 0  # the key slot the gateway starts with, verified


def v1r_client(firmware: str = "25.10.1", **options: Any) -> TestClient:
    """A paused gateway (HTTPS base URL) with slot 0's key verified unless ``authorized_keys`` says otherwise."""
    options.setdefault("authorized_keys", (private_key_pem(VERIFIED),))
    gateway = build_gateway(EmulatorOptions(firmware=firmware, gw_password=GW_PASSWORD, paused=True, **options))
    return TestClient(create_app(gateway), base_url="https://testserver")


def din_of(c: TestClient | httpx.Client) -> str:
    """The gateway's DIN, as clients read it (GET /tedapi/din with the gateway password)."""
    return c.get("/tedapi/din", auth=("Tesla_Energy_Device", GW_PASSWORD)).text
