"""Every control aiopowerwall 0.8.0 and pypowerwall 0.22.2 (v1r mode) offer, seen in the model at once and restored.

The site is paused with solar and load forced, so each setting's effect is exact: /_emulator/state and the
client's own /api/ and TEDAPI reads show it in the same instant, and setting the old value back brings
the old flows back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiopowerwall.exceptions import PowerwallAuthenticationError

import emulator
from emulator.testing.keys import fingerprint_of, private_key_pem
from tests.support.v1r_clients import aiopowerwall, powerwall3_site, pypowerwall_v1r

KEY, OTHER_KEY = 0, 1


def power(gw: emulator.Emulator) -> dict[str, float]:
    flows: dict[str, float] = gw.state()["power_w"]
    return flows


def test_aiopowerwall_config_writes_drive_the_model_and_restore() -> None:
    with powerwall3_site(soe=60) as gw:
        pem = gw.verified_key(KEY)

        async def writes() -> None:
            async with aiopowerwall(gw, pem) as client:
                original = await client.get_config()
                before = gw.state()

                await client.set_backup_reserve(50)  # app scale: raw 52.5
                await client.set_operation_mode("backup")
                state = gw.state()
                assert state["operation"] == {
                    "mode": "backup",
                    "backup_reserve_percent": 52.5,
                    "backup_reserve_app_percent": 50.0,
                }
                gw.set_solar(0)
                gw.set_load(3000)
                assert power(gw)["battery"] < 0  # backup mode tops up from the grid
                await client.set_grid_charging(False)
                assert power(gw)["battery"] == 0 and power(gw)["site"] == 3000
                config = await client.get_config()
                assert config["default_real_mode"] == "backup"
                assert config["site_info"]["disallow_charge_from_grid_with_solar_installed"] is True
                await client.set_grid_charging(True)
                assert "disallow_charge_from_grid_with_solar_installed" not in (await client.get_config())["site_info"]

                await client.set_operation_mode("autonomous")  # off peak the batteries stay idle...
                await client.set_import_limit(0.5)  # ...until the site would import more than 0.5 kW
                assert power(gw) == {"site": 500.0, "battery": 2500.0, "load": 3000, "solar": 0}
                assert (await client.get_meters_aggregates())["site"]["instant_power"] == 500.0

                gw.set_solar(5000)
                gw.set_load(1000)
                gw.set_soe(100)  # full: the surplus goes to the grid
                await client.set_export_limit(1.0)
                assert power(gw)["site"] == -1000.0 and gw.state()["curtailed_w"] == 3000.0
                await client.set_export_rule("never")
                assert power(gw)["site"] == 0.0 and gw.state()["curtailed_w"] == 4000.0
                await client.set_on_grid_solar_curtailment(True)
                await client.set_tou_mode("economic")
                config = await client.get_config()
                assert config["site_info"]["customer_preferred_export_rule"] == "never"
                assert config["site_info"]["on_grid_solar_curtailment_enabled"] is True
                assert config["strategy"]["TOU_mode"] == "economic"
                assert gw.state()["site_controls"] == {
                    "export_rule": "never",
                    "grid_charging": True,
                    "solar_curtailment": True,
                    "import_limit_kw": 0.5,
                    "export_limit_kw": 1.0,
                    "battery_setpoint": None,
                    "manual_backup": None,
                    "calibration": {"delays_left": 3, "max_delays": 3, "delay_left_s": 0},
                }
                await client.write_config({"storm_mode_enabled": True})  # acknowledged, not kept
                assert "storm_mode_enabled" not in await client.get_config()

                restore = {
                    "default_real_mode": original["default_real_mode"],
                    "site_info.backup_reserve_percent": original["site_info"]["backup_reserve_percent"],
                    "site_info.customer_preferred_export_rule": "battery_ok",
                    "site_info.on_grid_solar_curtailment_enabled": False,
                    "site_info.max_site_meter_power_ac": original["site_info"]["max_site_meter_power_ac"],
                    "site_info.min_site_meter_power_ac": original["site_info"]["min_site_meter_power_ac"],
                }
                await client.write_config(restore)
                restored = await client.get_config()
                assert {k: v for k, v in restored.items() if k != "strategy"} == original
                assert gw.state()["operation"] == before["operation"]

        asyncio.run(writes())


def test_aiopowerwall_islands_and_reconnects_through_the_grid_state_machine() -> None:
    with powerwall3_site() as gw:
        pem = gw.verified_key(KEY)

        async def islanding() -> None:
            async with aiopowerwall(gw, pem) as client:
                await client.go_off_grid()
                gw.advance(2)
                assert await client.get_grid_status() == "SystemIslandedActive"
                assert (await client.get_device_controller())["control"]["islanding"]["contactorClosed"] is False
                assert gw.state()["grid"] == {"connected": False, "utility_up": True, "status": "SystemIslandedActive"}
                await client.reconnect_grid()
                gw.advance(11)  # the gateway resynchronises before it closes the contactor
                assert await client.get_grid_status() == "SystemGridConnected"
                await client.trigger_islanding()  # black start
                gw.advance(2)
                assert await client.get_grid_status() == "SystemIslandedActive"
                await client.reconnect_grid()
                gw.advance(11)
                assert gw.state()["grid"]["connected"] is True

        asyncio.run(islanding())


def test_aiopowerwall_dispatches_the_battery_until_the_setpoint_lapses_or_is_released() -> None:
    with powerwall3_site(soe=60) as gw:
        pem = gw.verified_key(KEY)
        gw.set_solar(0)
        gw.set_load(1000)

        async def dispatching() -> None:
            async with aiopowerwall(gw, pem) as client:
                idle = power(gw)
                await client.dispatch_battery_power(-2000, 60)  # charge at 2 kW for a minute
                assert power(gw) == {"site": 3000.0, "battery": -2000.0, "load": 1000, "solar": 0}
                assert (await client.get_meters_aggregates())["battery"]["instant_power"] == -2000.0
                assert gw.state()["site_controls"]["battery_setpoint"] == {"power_w": -2000.0, "left_s": 60.0}
                gw.advance(61)  # the setpoint lapses by itself
                assert gw.state()["site_controls"]["battery_setpoint"] is None
                assert power(gw) == idle
                await client.dispatch_battery_power(1500, 3600)  # discharge, and export what the house does not use
                assert power(gw)["battery"] == 1500.0 and power(gw)["site"] == -500.0
                await client.resume_battery_operation()
                assert power(gw) == idle
                await client.resume_battery_operation()  # nothing to release: still acknowledged

        asyncio.run(dispatching())


def test_aiopowerwall_schedules_lists_and_cancels_a_manual_backup() -> None:
    with powerwall3_site(soe=60) as gw:
        pem = gw.verified_key(KEY)
        gw.set_solar(0)
        gw.set_load(1000)

        async def backup() -> None:
            async with aiopowerwall(gw, pem) as client:
                assert (await client.get_backup_events())["manual_backup"] is None
                await client.schedule_max_backup(600)
                manual = (await client.get_backup_events())["manual_backup"]
                assert manual is not None and manual["active"] is True and manual["duration_seconds"] == 600
                assert gw.state()["site_controls"]["manual_backup"]["active"] is True
                assert power(gw)["battery"] < 0  # the reserve is 100 %: the batteries charge, from the grid too
                gw.advance(601)  # over on the gateway's clock: no longer listed
                assert (await client.get_backup_events())["manual_backup"] is None
                assert power(gw)["battery"] > 0  # back to self-consumption
                await client.schedule_max_backup(7200)
                await client.cancel_max_backup()
                assert gw.state()["site_controls"]["manual_backup"] is None
                await client.cancel_max_backup()  # nothing scheduled: acknowledged

        asyncio.run(backup())


def test_aiopowerwall_delays_the_battery_calibration_and_reads_its_status() -> None:
    with powerwall3_site() as gw:
        pem = gw.verified_key(KEY)

        async def calibration() -> None:
            async with aiopowerwall(gw, pem) as client:
                await client.delay_battery_calibration(24)
                gw.advance(3600)
                assert await client.get_battery_calibration_delay_status() == {
                    "calibration_delays_left": 2,
                    "calibration_delay_remaining_seconds": 23 * 3600,
                    "max_calibration_delays": 3,
                }

        asyncio.run(calibration())


def test_aiopowerwall_lists_and_removes_keys_and_removing_its_own_locks_it_out() -> None:
    with powerwall3_site() as gw:
        pem = gw.verified_key(KEY)
        other = private_key_pem(OTHER_KEY)
        gw.add_authorized_client(other, description="Tesla app")

        async def keys() -> None:
            async with aiopowerwall(gw, pem) as client:
                listed = (await client.list_authorized_clients())["clients"]
                assert [(c["state"], c["key_type"], c["roles"]) for c in listed] == [
                    ("VERIFIED", "RSA", ["CUSTOMER"]),
                    ("PENDING_VERIFICATION", "RSA", ["CUSTOMER"]),
                ]
                await client.remove_authorized_client(listed[1]["public_key"])  # base64, as listed
                assert [c["fingerprint"] for c in gw.authorized_clients()] == [fingerprint_of(pem)]
                await client.remove_authorized_client(listed[0]["public_key"])  # itself
                assert gw.authorized_clients() == []
                with pytest.raises(PowerwallAuthenticationError, match="not registered"):
                    await client.list_authorized_clients()

        asyncio.run(keys())


def test_pypowerwall_v1r_controls_drive_the_model_and_restore(tmp_path: Path) -> None:
    key_file = tmp_path / "tedapi_rsa_private.pem"
    with powerwall3_site(soe=60) as gw:
        key_file.write_bytes(gw.verified_key(KEY))
        before = gw.state()
        gw.set_solar(0)
        gw.set_load(1000)
        with pypowerwall_v1r(gw, key_file) as pw:
            assert pw.results(["set_reserve", 50], ["set_mode", "backup"])[0] is not None
            assert gw.state()["operation"]["backup_reserve_app_percent"] == pytest.approx(50.0)
            assert gw.state()["operation"]["mode"] == "backup"
            assert pw.results(["get_reserve"]) == [pytest.approx(50.0)]
            pw.results(["set_grid_charging", False], ["set_grid_export", "pv_only"])
            controls = gw.state()["site_controls"]
            assert (controls["grid_charging"], controls["export_rule"]) == (False, "pv_only")

            assert pw.results(["go_off_grid", True])[0]["result"] == 1  # ACCEPTED
            gw.advance(2)
            assert pw.results(["grid_status"]) == ["DOWN"]
            pw.results(["reconnect_grid"])
            gw.advance(11)
            assert pw.results(["grid_status"]) == ["UP"]

            pw.results(["set_mode", "self_consumption"])
            assert pw.results(["dispatch_battery_power", -2000, 30])[0] == {
                "power_watts": -2000.0,
                "duration_seconds": 30,
            }
            assert power(gw)["battery"] == -2000.0
            assert pw.results(["resume_battery_operation"])[0] == {"resume_battery_operation": True}
            assert power(gw)["battery"] == 1000.0

            assert pw.results(["schedule_max_backup", 600])[0]
            events = pw.results(["get_backup_events"])[0]
            assert events and gw.state()["site_controls"]["manual_backup"]["active"] is True
            assert pw.results(["cancel_max_backup"])[0]
            assert pw.results(["cancel_max_backup"])[0]  # nothing to cancel: pypowerwall needs the ack anyway
            assert gw.state()["site_controls"]["manual_backup"] is None

            pw.results(
                ["set_reserve", before["operation"]["backup_reserve_app_percent"]],
                ["set_mode", before["operation"]["mode"]],
                ["set_grid_charging", True],
                ["set_grid_export", "battery_ok"],
            )
        after = gw.state()
        assert after["operation"]["mode"] == before["operation"]["mode"]
        assert after["operation"]["backup_reserve_app_percent"] == pytest.approx(
            before["operation"]["backup_reserve_app_percent"]
        )
        assert after["site_controls"] == before["site_controls"]
