"""The night the gateway updates itself, with the real, unmodified clients: pypowerwall 0.22.2 polling a gateway
that updates 21.44.1 -> 24.4.0 (the vitals vanish, the TEDAPI appears) and 1.15.0 -> 21.44.1 (the port turns
to HTTPS, a login becomes necessary). The site carries over; the clients recover by logging in again."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import emulator
from emulator.testing import Emulator
from tests.support.paths import ROOT
from tests.support.processes import started

pypowerwall = pytest.importorskip("pypowerwall")

DRIVER = ROOT / "tests" / "support" / "pypowerwall_tedapi_driver.py"
GW_PASSWORD = "ABCDEFGHIJ"


@pytest.fixture(autouse=True)
def _pypowerwall_trusts_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)  # it would override pypowerwall's verify=False
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture
def gw(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    with emulator.running(firmware=request.param, powerwalls=2, paused=True, gw_password=GW_PASSWORD) as handle:
        yield handle


def local_client(gw: Emulator, tmp_path: Any) -> Any:
    return pypowerwall.Powerwall(
        gw.host, password=gw.password, cachefile=str(tmp_path / ".powerwall"), pwcacheexpire=0, timeout=5
    )


def tedapi_reading(gw: Emulator) -> dict[str, Any] | None:
    """pypowerwall in full TEDAPI mode (gateway password, no customer password), in its own process: one reading,
    or None when it finds no TEDAPI (it falls back to the cloud and fails)."""
    argv = [sys.executable, str(DRIVER), gw.host, "", GW_PASSWORD, "V2024_06"]
    with started(argv, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("\n")
        proc.stdin.close()
        line = proc.stdout.readline()
    return json.loads(line) if line else None


def assert_the_site_carried_over(before: dict[str, Any], after: dict[str, Any]) -> None:
    for counter, value in before["energy_wh"].items():
        assert after["energy_wh"][counter] >= value  # monotone: the site kept running through the update
    assert after["energy_wh"]["site_imported"] > 0  # not a fresh gateway: counters from before the update
    assert after["powerwalls"] == before["powerwalls"] and after["operation"] == before["operation"]


@pytest.mark.parametrize("gw", ["21.44.1"], indirect=True)
def test_pypowerwall_polling_vitals_notices_the_404_after_an_update_and_keeps_working(gw: Emulator, tmp_path):
    pw = local_client(gw, tmp_path)
    vitals = pw.vitals()
    assert any(name.startswith("TEPOD--") for name in vitals)  # 21.44.1 serves /api/devices/vitals
    assert pw.version() == "21.44.1 c58c2df3"
    assert tedapi_reading(gw) is None  # and no TEDAPI
    before = gw.state()

    gw.update_firmware("24.4.0", reboot_s=120)

    after = gw.state()
    assert_the_site_carried_over(before, after)
    assert pw.vitals() is None and pw.vitals() is None  # the 404: pypowerwall sees 24.4.0 and stops asking
    asked = gw.requests(path="/api/devices/vitals", since=_seq_at_update(gw))
    assert [(e["status"], e["firmware"]) for e in asked] == [(404, "24.4.0")]
    assert pw.level() == pytest.approx(gw.state()["soe_pct"])  # it kept working: logged in again by itself
    assert pw.version() == "24.4.0 0fe780c9"
    power = pw.power()
    assert power["battery"] == pytest.approx(gw.state()["power_w"]["battery"])
    logins = [e["status"] for e in gw.requests(path="/api/login/Basic")]
    assert logins == [200, 200]  # before the update, and once after it when its session was refused

    reading = tedapi_reading(gw)  # the TEDAPI appeared: a client in TEDAPI mode now reads vitals from it
    assert reading is not None and reading["mode"] == "full" and reading["version"].startswith("24.4.0")
    assert any(name.startswith("TEPINV--") for name in reading["vitals_keys"])
    assert reading["level"] == pytest.approx(gw.state()["soe_pct"], abs=1.0)


def _seq_at_update(gw: Emulator) -> int:
    """The journal's last entry answered by 21.44.1 (what came after went to 24.4.0)."""
    return max(e["seq"] for e in gw.requests() if e["firmware"] == "21.44.1")


@pytest.mark.parametrize("gw", ["1.15.0"], indirect=True)
def test_an_update_to_21_44_turns_the_port_to_https_and_pypowerwall_in_after_a_login(gw: Emulator, tmp_path):
    poller = requests.Session()  # a 2018 script: plain HTTP, no login (1.15.0's reads are open)
    try:
        soe = poller.get(f"{gw.url}/api/system_status/soe", timeout=5).json()["percentage"]
        assert soe == pytest.approx(gw.state()["soe_pct"])
        assert local_client(gw, tmp_path).level() is None  # pypowerwall speaks HTTPS only: 1.15.0 is beyond it
        before = gw.state()
        port = gw.port

        gw.update_firmware("21.44.1", reboot_s=120)

        assert gw.port == port and gw.url.startswith("https://")
        with pytest.raises(requests.ConnectionError):
            poller.get(f"http://127.0.0.1:{port}/api/system_status/soe", timeout=5)  # plain HTTP is gone
        refused = poller.get(f"{gw.url}/api/system_status/soe", timeout=5, verify=False)
        assert refused.status_code == 403  # and a login is necessary
        login: dict[str, Any] = {
            "username": "customer",
            "password": gw.password,
            "email": "me@home",
            "force_sm_off": False,
        }
        assert poller.post(f"{gw.url}/api/login/Basic", json=login, timeout=5, verify=False).status_code == 200
        soe = poller.get(f"{gw.url}/api/system_status/soe", timeout=5, verify=False).json()["percentage"]
    finally:
        poller.close()
    after = gw.state()
    assert soe == pytest.approx(after["soe_pct"])
    assert_the_site_carried_over(before, after)

    pw = local_client(gw, tmp_path)  # pypowerwall now finds a gateway it speaks to
    assert pw.level() == pytest.approx(after["soe_pct"])
    assert pw.version() == "21.44.1 c58c2df3"
    assert any(name.startswith("TEPOD--") for name in pw.vitals())
