"""pypowerwall 0.22.2, unmodified, reads the emulator through the TEDAPI.

Full TEDAPI mode (no customer password) against a Powerwall 3 on 25.10.1, in
both protobuf API versions, through an outage and back; hybrid mode (customer
/api/ plus TEDAPI) against 24.4.0. pypowerwall runs in a subprocess (see
pypowerwall_tedapi_driver.py) with REQUESTS_CA_BUNDLE cleared, and with no
cache, so what it prints is what the gateway said at that moment.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import Any

import httpx
import pytest

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from tests.support.paths import ROOT
from tests.support.processes import started

DRIVER = ROOT / "tests" / "support" / "pypowerwall_tedapi_driver.py"
GW_PASSWORD = "ABCDEFGHIJ"
HYBRID_TEDAPI_CACHE_S = 5.2
TEDAPI_IP = "192.168.91.1"  # pypowerwall's hybrid mode only talks TEDAPI to this address, port 443


@contextmanager
def emulator(firmware: str, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[ServerThread]:
    gateway = build_gateway(EmulatorOptions(firmware=firmware, gw_password=GW_PASSWORD, paused=True, **options))
    profile = gateway.facts
    cert = self_signed(key_type=profile.tls_key_type, min_version=profile.tls_min_version)
    with ServerThread(create_app(gateway), host=host, port=port, tls=cert.identity) as server:
        yield server


class Client:
    """pypowerwall in its own process: each read() is one line in, one JSON line out."""

    def __init__(self, host: str, password: str, api_version: str, gw_password: str = GW_PASSWORD) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
        argv = [sys.executable, str(DRIVER), host, password, gw_password, api_version]
        self._stack = ExitStack()
        self.proc = self._stack.enter_context(started(argv, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env))

    def read(self) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "pypowerwall exited without an answer"
        return json.loads(line)

    def close(self) -> None:
        """End of input is the driver's cue to exit; then it is stopped if it has not, reaped, its pipes closed."""
        if self.proc.stdin:
            self.proc.stdin.close()
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=20)
        self._stack.close()


def control(server: ServerThread, method: str, path: str, body: dict | None = None) -> dict:
    response = httpx.request(method, f"{server.url}/_emulator/{path}", json=body, verify=False, timeout=10)
    response.raise_for_status()
    return response.json()


def assert_agrees(seen: dict, state: dict) -> None:
    """SOE within a point; each meter's power within the model's sampling of the same paused instant."""
    assert seen["level"] == pytest.approx(state["soe_pct"], abs=1.0)
    for meter in ("site", "battery", "load", "solar"):
        assert seen["power"][meter] == pytest.approx(state["power_w"][meter], abs=1.0)


@pytest.mark.parametrize("api_version", ["V2024_06", "V2026_06"])
def test_full_tedapi_mode_reads_a_powerwall_3_through_an_outage(api_version: str) -> None:
    with emulator("25.10.1", powerwalls=2) as server:
        client = Client(f"127.0.0.1:{server.port}", "", api_version)
        try:
            up = client.read()
            state = control(server, "GET", "state")
            assert up["mode"] == "full"
            assert_agrees(up, state)
            assert up["grid_status"] == "UP" and "SystemConnectedToGrid" in up["alerts"]
            assert up["din"].startswith("1707000-") and up["version"].startswith("25.10.1")
            assert up["reserve"] == pytest.approx(state["operation"]["backup_reserve_app_percent"])
            assert up["time_remaining"] == pytest.approx(
                state["soe_pct"]
                / 100
                * sum(b["nominal_full_pack_energy"] for b in up["battery_blocks"].values())
                / state["power_w"]["load"],
                rel=0.01,
            )
            blocks = up["battery_blocks"]
            assert [b["Type"] for b in blocks.values()] == ["", "BatteryExpansion"]  # a PW3 and its expansion
            producing = [s for s in up["strings"].values() if s["Connected"]]
            assert len(producing) == 3 and sum(s["Power"] for s in producing) == pytest.approx(
                state["power_w"]["solar"], abs=1.0
            )
            if api_version == "V2024_06":  # V2026_06's signed query cannot ask for the temperature signals
                assert set(up["temps"]) == {f"TEPOD--{b['PackagePartNumber']}--{k}" for k, b in blocks.items()}

            control(server, "POST", "grid", {"connected": False})
            control(server, "POST", "clock", {"advance_s": 10})
            down = client.read()
            assert down["grid_status"] == "DOWN"
            assert "UnscheduledIslandContactorOpen" in down["alerts"]
            assert_agrees(down, control(server, "GET", "state"))

            control(server, "POST", "grid", {"connected": True})
            control(server, "POST", "clock", {"advance_s": 60})
            back = client.read()
            assert back["grid_status"] == "UP" and "SystemConnectedToGrid" in back["alerts"]
        finally:
            client.close()


@contextmanager
def _tedapi_address() -> Iterator[str | None]:
    """192.168.91.1 on lo for the test's duration (removed after if it was not there); yields why not, or None."""
    if os.geteuid() != 0:
        yield "needs root to add 192.168.91.1 to lo and bind port 443"
        return
    shown = subprocess.run(["ip", "-4", "addr", "show", "dev", "lo"], capture_output=True, text=True, timeout=30).stdout
    had = f"{TEDAPI_IP}/32" in shown
    if not had:
        added = subprocess.run(
            ["ip", "addr", "add", f"{TEDAPI_IP}/32", "dev", "lo"], capture_output=True, text=True, timeout=30
        )
        if added.returncode != 0:
            yield f"cannot add {TEDAPI_IP} to lo: {added.stderr.strip()}"
            return
    try:
        yield None
    finally:
        if not had:
            subprocess.run(["ip", "addr", "del", f"{TEDAPI_IP}/32", "dev", "lo"], capture_output=True, timeout=30)


@contextmanager
def _tedapi_address_lock() -> Iterator[None]:
    """One test at a time on 192.168.91.1:443 (xdist workers share the machine)."""
    with open("/tmp/teg-emulator-192.168.91.1.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def test_hybrid_mode_reads_api_and_tedapi_from_a_24_4_gateway() -> None:
    with _tedapi_address_lock(), _tedapi_address() as why_not:
        if why_not:
            pytest.skip(why_not)
        _hybrid_through_an_outage()


def _hybrid_through_an_outage() -> None:
    with emulator("24.4.0", host=TEDAPI_IP, port=443, powerwalls=2) as server:
        gateway_password = httpx.get(f"{server.url}/_emulator/credentials", verify=False).json()["password"]
        client = Client(TEDAPI_IP, gateway_password, "V2024_06")
        try:
            seen = client.read()
            state = control(server, "GET", "state")
            assert seen["mode"] == "hybrid"
            assert_agrees(seen, state)
            assert seen["grid_status"] == "UP"
            assert any(k.startswith("TEPINV--") for k in seen["vitals_keys"])  # from the TEDAPI, not /api/
            assert set(seen["strings"]) == {"A", "B", "C", "D"}
            assert len(seen["temps"]) == 2 and all(isinstance(t, float) for t in seen["temps"].values())
            assert "SystemConnectedToGrid" in seen["alerts"]

            control(server, "POST", "grid", {"connected": False})
            control(server, "POST", "clock", {"advance_s": 10})
            time.sleep(HYBRID_TEDAPI_CACHE_S)  # hybrid mode builds its TEDAPI with pypowerwall's default 5 s cache
            down = client.read()
            assert down["grid_status"] == "DOWN"
            assert "PINV_a010_vfCheckUnderVoltage" in down["alerts"]  # the inverters' outage alert
        finally:
            client.close()
