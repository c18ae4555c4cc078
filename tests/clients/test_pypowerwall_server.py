"""pypowerwall-server (the FastAPI server Powerwall-Dashboard uses), unmodified, serves a Powerwall 3 from the emulator.

It is not in the test extra: its ``uvicorn[standard]`` brings uvloop, and with uvloop installed every uvicorn
server in this suite would change event loop. The test runs it as its own process anyway, so a fixture installs it
(``--no-deps``, the versions pinned below) into a folder of its own that only that process has on its path. Where
it is already importable (``pip install --no-deps`` of the same list) that copy is used; where the package index
cannot be reached the test skips and shows pip's answer.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from tests.support.processes import started

GW_PASSWORD = "ABCDEFGHIJ"
START_TIMEOUT_S = 40.0
# pypowerwall-server and the packages it imports that the test extra does not bring (pydantic and starlette it has)
SERVER_PACKAGES = (
    "pypowerwall-server==0.13.0",
    "fastapi==0.165.0",
    "annotated-doc==0.0.7",
    "opentelemetry-api==1.45.2",
    "psutil==7.2.2",
    "websockets==17.4",
)


@pytest.fixture(scope="module")
def server_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The PYTHONPATH entry under which ``app.main`` (pypowerwall-server) imports: "" when it already does."""
    if importlib.util.find_spec("app") is not None and importlib.util.find_spec("app.main") is not None:
        return ""
    target = tmp_path_factory.mktemp("pypowerwall-server")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), *SERVER_PACKAGES],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if pip.returncode != 0:
        pytest.skip(f"could not install pypowerwall-server (no package index?): {pip.stderr.strip()[-400:]}")
    return str(target)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_pypowerwall_server_serves_its_main_routes_from_a_powerwall_3(tmp_path: Path, server_path: str) -> None:
    gateway = build_gateway(EmulatorOptions(firmware="25.10.1", gw_password=GW_PASSWORD, paused=True, powerwalls=2))
    profile = gateway.facts
    cert = self_signed(key_type=profile.tls_key_type, min_version=profile.tls_min_version)
    with ServerThread(create_app(gateway), tls=cert.identity) as emulator:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
        env.update(
            PW_HOST=f"127.0.0.1:{emulator.port}",
            PW_GW_PWD=GW_PASSWORD,
            PW_BIND_ADDRESS="127.0.0.1",
            PW_PORT=str(port),
            PW_CACHE_FILE=str(tmp_path / ".powerwall"),
            PW_CACHE_EXPIRE="1",
        )
        if server_path:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (server_path, env.get("PYTHONPATH", "")) if p)
        argv = [sys.executable, "-c", "from app.main import cli; cli()"]
        with started(argv, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + START_TIMEOUT_S
            soe = None
            while time.monotonic() < deadline and soe is None:
                try:
                    answer = httpx.get(base + "/soe", timeout=5)
                    body = answer.json() if answer.status_code == 200 else None
                    soe = body if isinstance(body, dict) and body.get("percentage") is not None else None
                except (httpx.HTTPError, ValueError):
                    pass
                if soe is None:
                    time.sleep(0.3)  # still starting, or not connected to the gateway yet
            assert soe is not None, "pypowerwall-server never answered /soe"
            state = httpx.get(emulator.url + "/_emulator/state", verify=False).json()
            assert soe["percentage"] == pytest.approx(state["soe_pct"], abs=1.0)
            aggregates = httpx.get(base + "/aggregates", timeout=10).json()
            for meter in ("site", "battery", "load", "solar"):
                assert aggregates[meter]["instant_power"] == pytest.approx(state["power_w"][meter], abs=1.0)
            assert httpx.get(base + "/api/system_status/grid_status", timeout=10).json()["grid_status"] == (
                "SystemGridConnected"
            )
            strings = httpx.get(base + "/strings", timeout=10).json()
            assert sum(s["Power"] for s in strings.values()) == pytest.approx(state["power_w"]["solar"], abs=1.0)
            assert len(httpx.get(base + "/temps", timeout=10).json()) == 2
            assert "SystemConnectedToGrid" in httpx.get(base + "/alerts", timeout=10).json()
            assert httpx.get(base + "/version", timeout=10).json()["version"].startswith("25.10.1")
