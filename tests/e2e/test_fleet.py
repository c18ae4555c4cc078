"""Fifty gateways in one process, each with its own identity, password and state."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.support.paths import ROOT
from tests.support.processes import printed, started

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@contextmanager
def serve_fleet(*args: str) -> Iterator[str]:
    """`serve --gateways` with ``args``, stopped at the end of the block: its listing's URL."""
    with started(
        [sys.executable, "-m", "emulator.cli", "serve", "--firmware", "1.15.0", "--gateways", *args], env=ENV
    ) as proc:
        listing = printed(proc, r"list: (\S+)")
        assert listing, "the fleet never printed its listing"
        yield listing


@pytest.fixture
def fleet_of_50():
    with serve_fleet("50", "--port", "0") as listing:
        yield httpx.get(listing).json()


def login(url: str, password: str) -> int:
    return httpx.post(url + "/api/login/Basic", json={"username": "", "password": password}).status_code


def test_fifty_gateways_each_answer_their_own_login(fleet_of_50):
    gateways = fleet_of_50["gateways"]
    assert len(gateways) == 50
    assert len({g["serial"] for g in gateways}) == 50 and len({g["url"] for g in gateways}) == 50
    for this, other in zip(gateways, gateways[1:] + gateways[:1], strict=False):
        assert login(this["url"], other["password"]) == 401
        assert login(this["url"], this["password"]) == 200


def test_members_have_independent_state(fleet_of_50):
    first, second = fleet_of_50["gateways"][:2]
    httpx.post(first["url"] + "/_emulator/grid", json={"connected": False})
    assert httpx.get(first["url"] + "/_emulator/state").json()["grid"]["utility_up"] is False
    assert httpx.get(second["url"] + "/_emulator/state").json()["grid"]["utility_up"] is True
    assert (
        httpx.get(first["url"] + "/_emulator/state").json()["power_w"]
        != httpx.get(second["url"] + "/_emulator/state").json()["power_w"]
    )


def _free_run_of_ports(count: int) -> int:
    """A base port whose next ``count`` ports are free right now (other tests may race for them later)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            held = [socket.create_server(("127.0.0.1", base + i)) for i in range(1, count)]
        except OSError:
            continue
        for sock in held:
            sock.close()
        return base


def test_consecutive_ports_from_the_given_one():
    for _attempt in range(5):  # another test may grab a port between our probe and the fleet's bind
        base = _free_run_of_ports(3)
        argv = [
            sys.executable,
            "-m",
            "emulator.cli",
            "serve",
            "--firmware",
            "1.15.0",
            "--gateways",
            "3",
            "--port",
            str(base),
        ]
        with started(argv, stderr=subprocess.PIPE, env=ENV) as proc:
            listing = printed(proc, r"list: (\S+)")
            if listing is None:
                assert proc.stderr is not None
                assert proc.wait(timeout=10) == 2 and "cannot listen" in proc.stderr.read()  # a lost race: retry
                continue
            ports = [int(g["url"].rsplit(":", 1)[1]) for g in httpx.get(listing).json()["gateways"]]
            assert ports == [base, base + 1, base + 2]
            return
    raise AssertionError("five attempts lost the race for three consecutive free ports")


def test_host_mode_serves_the_fleet_on_one_port_keyed_by_host_name():
    with serve_fleet("3", "--port", "0", "--fleet-mode", "host") as listing:
        gateways = httpx.get(listing).json()["gateways"]
        port = gateways[0]["url"].rsplit(":", 1)[1]
        for gateway in gateways:
            host = gateway["url"].split("//")[1]
            response = httpx.post(
                f"http://127.0.0.1:{port}/api/login/Basic",
                json={"password": gateway["password"]},
                headers={"Host": host},
            )
            assert response.status_code == 200
        unknown = httpx.get(f"http://127.0.0.1:{port}/api/status", headers={"Host": "gw-999.localhost"})
        assert unknown.status_code == 404 and "fleet" in unknown.json()["message"]


def test_a_fleet_member_can_stall_its_own_tls_handshakes_and_only_its_own():
    with serve_fleet("2", "--port", "0", "--firmware", "24.4.0") as listing:
        first, second = httpx.get(listing, verify=False).json()["gateways"]
        rule = {"path": "*", "kind": "tls_stall", "stall_s": 2.0, "count": 1}
        assert httpx.post(first["url"] + "/_emulator/faults", json=rule, verify=False).status_code == 201
        assert (
            httpx.get(second["url"] + "/api/status", verify=False, timeout=httpx.Timeout(5, connect=1)).status_code
            == 200
        )
        with pytest.raises(httpx.ConnectTimeout):
            httpx.get(first["url"] + "/api/status", verify=False, timeout=httpx.Timeout(5, connect=0.3))
        assert httpx.get(first["url"] + "/api/status", verify=False, timeout=5).status_code == 200


def test_host_mode_refuses_tls_stall_and_says_why():
    with serve_fleet("2", "--port", "0", "--firmware", "24.4.0", "--fleet-mode", "host") as listing:
        gateway = httpx.get(listing, verify=False).json()["gateways"][0]
        port = gateway["url"].rsplit(":", 1)[1]
        response = httpx.post(
            f"https://127.0.0.1:{port}/_emulator/faults",
            json={"path": "*", "kind": "tls_stall", "stall_s": 1},
            headers={"Host": gateway["url"].split("//")[1]},
            verify=False,
        )
        assert response.status_code == 400 and "--fleet-mode ports" in response.json()["message"]


def test_the_fleet_cap_is_ten_thousand_gateways():
    refused = subprocess.run(
        [sys.executable, "-m", "emulator.cli", "serve", "--gateways", "10001", "--port", "0"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert refused.returncode == 2 and "10000" in refused.stderr


def test_a_fleet_of_5000_shares_a_journal_budget_and_routes_by_host():
    from starlette.testclient import TestClient

    from emulator import RunOptions
    from emulator.serving.fleet import FleetApp, build_fleet

    members = build_fleet(RunOptions(firmware="1.15.0", paused=True), 5000, mode="host")
    for member in members:
        member.port = 8080
    client = TestClient(FleetApp(members, "host", "http"))
    last = members[-1]
    assert last.host_name == "gw-5000.localhost"
    for _ in range(60):
        assert client.get("/api/system_status/soe", headers={"host": f"{last.host_name}:8080"}).status_code == 200
    journal = client.get("/_emulator/requests", headers={"host": last.host_name}).json()["requests"]
    assert len(journal) == 50  # 250,000 entries across the fleet: 50 each
    serial = client.get("/api/status", headers={"host": last.host_name}).json()
    assert serial["version"] == "1.15.0\n"
    assert client.get("/_emulator/state", headers={"host": members[0].host_name}).status_code == 200
