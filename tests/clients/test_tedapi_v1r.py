"""aiopowerwall 0.8.0 and pypowerwall 0.22.2 (v1r mode), unmodified, against the emulator's TEDAPI v1r.

Each client goes through the key's whole life as the gateway's table sees it -- unknown, pending,
verified, timed out, removed -- and reads what /_emulator/state says at the same paused instant, through
an outage and back. aiopowerwall runs in this process (asyncio); pypowerwall in a subprocess
(tests/pypowerwall_v1r_driver.py) with REQUESTS_CA_BUNDLE cleared, so its verify=False holds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiopowerwall import battery_level_raw, current_power
from aiopowerwall.exceptions import PowerwallAuthenticationError

from emulator.testing.keys import fingerprint_of, private_key_pem
from tests.support.v1r_clients import GW_PASSWORD, aiopowerwall, powerwall3_site, pypowerwall_v1r

SLOT = 0
BASIC = ("Tesla_Energy_Device", GW_PASSWORD)


def assert_status_agrees(status: dict[str, Any], state: dict[str, Any]) -> None:
    assert battery_level_raw(status) == pytest.approx(state["soe_pct"], abs=0.5)  # the raw scale, as /api/ shows
    power = current_power(status)
    for meter in ("site", "battery", "load", "solar"):
        assert power[meter.upper()] == pytest.approx(state["power_w"][meter], abs=1.0), meter


def test_aiopowerwall_sees_the_key_unknown_pending_verified_removed_and_timed_out() -> None:
    pem = private_key_pem(SLOT)
    with powerwall3_site() as gw:

        async def lifecycle() -> None:
            async with aiopowerwall(gw, pem) as client:
                din = await client.connect()  # a login and GET /tedapi/din with its bearer: no key needed yet
                with pytest.raises(PowerwallAuthenticationError, match="not registered"):
                    await client.get_config()
                gw.add_authorized_client(pem)  # what the cloud registration does
                with pytest.raises(PowerwallAuthenticationError, match="not verified"):
                    await client.get_config()
                gw.presence_proof()  # the On/Off switch, inside the ten minutes
                assert (await client.get_config())["vin"] == din
                gw.remove_authorized_client(fingerprint_of(pem))
                with pytest.raises(PowerwallAuthenticationError, match="not registered"):
                    await client.get_firmware_details()
                gw.add_authorized_client(pem)
                gw.advance(601)  # the window passes without a proof
                assert [c["state"] for c in gw.authorized_clients()] == ["timed_out"]
                with pytest.raises(PowerwallAuthenticationError, match="not verified"):
                    await client.get_status()
                gw.add_authorized_client(pem)  # registered again: a new window
                gw.presence_proof()
                assert (await client.get_firmware_details())["system"]["din"] == din

        asyncio.run(lifecycle())


def test_aiopowerwall_reads_what_the_gateway_state_says_through_an_outage() -> None:
    with powerwall3_site(powerwalls=2) as gw:
        pem = gw.verified_key(SLOT)

        async def reads() -> None:
            async with aiopowerwall(gw, pem) as client:
                din = await client.connect()
                state = gw.state()
                assert_status_agrees(await client.get_status(), state)
                assert await client.get_battery_soe_raw() == pytest.approx(state["soe_pct"], abs=0.01)
                assert await client.get_grid_status() == "SystemGridConnected"
                aggregates = await client.get_meters_aggregates()
                assert aggregates["site"]["instant_power"] == pytest.approx(state["power_w"]["site"], abs=1.0)
                config = await client.get_config()
                assert config["default_real_mode"] == state["operation"]["mode"]
                assert config["site_info"]["backup_reserve_percent"] == state["operation"]["backup_reserve_percent"]
                firmware = await client.get_firmware_details()
                assert firmware["system"]["din"] == din and firmware["system"]["version"]["text"].startswith("25.10.1")
                controller = await client.get_device_controller()
                assert controller["control"]["islanding"]["contactorClosed"] is True
                components = await client.get_components()
                assert components["components"]["pch"], "the leader's inverter (PCH) answers its own signals"

                gw.set_grid(False)
                gw.advance(10)
                down = gw.state()
                assert await client.get_grid_status() == "SystemIslandedActive"
                assert_status_agrees(await client.get_status(), down)
                assert (await client.get_device_controller())["control"]["islanding"]["contactorClosed"] is False

                gw.set_grid(True)
                gw.advance(120)
                assert await client.get_grid_status() == "SystemGridConnected"
                assert_status_agrees(await client.get_status(), gw.state())

        asyncio.run(reads())


READS = (["level"], ["power"], ["grid_status"], ["get_reserve"], ["din"], ["version"])


def test_pypowerwall_v1r_warns_for_an_unknown_then_a_pending_key_and_reads_once_it_is_verified(tmp_path: Path) -> None:
    pem = private_key_pem(SLOT)
    key_file = tmp_path / "tedapi_rsa_private.pem"
    key_file.write_bytes(pem)
    with powerwall3_site() as gw, pypowerwall_v1r(gw, key_file) as pw:
        unknown = pw.call(["level"])
        assert unknown["results"] == [None]
        assert any("UNKNOWN_KEY_ID" in w and fingerprint_of(pem) in w for w in unknown["warnings"]), unknown

        gw.add_authorized_client(pem)
        pending = pw.call(["level"])
        assert pending["results"] == [None]
        assert any("PENDING_VERIFICATION" in w for w in pending["warnings"]), pending

        gw.presence_proof()
        verified = pw.call(*READS)
        state = gw.state()
        level, power, grid, reserve, din, version = verified["results"]
        assert verified["warnings"] == []
        assert level == pytest.approx(state["soe_pct"], abs=1.0)
        for meter in ("site", "battery", "load", "solar"):
            assert power[meter] == pytest.approx(state["power_w"][meter], abs=1.0), meter
        assert grid == "UP"
        assert reserve == pytest.approx(state["operation"]["backup_reserve_app_percent"])
        assert din == httpx.get(gw.url + "/tedapi/din", auth=BASIC, verify=False, timeout=10).text
        assert version.startswith("25.10.1")

        gw.remove_authorized_client(fingerprint_of(pem))
        removed = pw.call(["level"])
        assert removed["results"] == [None]
        assert any("UNKNOWN_KEY_ID" in w for w in removed["warnings"]), removed


def test_pypowerwall_v1r_reads_through_an_outage(tmp_path: Path) -> None:
    key_file = tmp_path / "tedapi_rsa_private.pem"
    with powerwall3_site(powerwalls=2) as gw:
        key_file.write_bytes(gw.verified_key(SLOT))
        with pypowerwall_v1r(gw, key_file) as pw:
            up = pw.call(["grid_status"], ["power"])
            assert up["results"][0] == "UP"
            gw.set_grid(False)
            gw.advance(10)
            down = pw.call(["grid_status"], ["power"], ["level"])
            state = gw.state()
            assert down["results"][0] == "DOWN"
            assert down["results"][1]["site"] == pytest.approx(state["power_w"]["site"], abs=1.0) == 0
            assert down["results"][2] == pytest.approx(state["soe_pct"], abs=1.0)
            gw.set_grid(True)
            gw.advance(120)
            assert pw.call(["grid_status"])["results"] == ["UP"]
