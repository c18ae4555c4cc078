"""tesla-powerwall (Home Assistant's library), unmodified from PyPI, against the 24.4.0 emulator over HTTPS."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

tesla_powerwall = pytest.importorskip("tesla_powerwall")
from tesla_powerwall import AccessDeniedError, GridStatus, IslandMode, MeterType, OperationMode, Powerwall  # noqa: E402

from tests.support.clients import LiveGateway, live_gateway  # noqa: E402


@pytest.fixture(scope="module")
def live():
    yield from live_gateway(powerwalls=2, soe_pct=47.3)


async def logged_in(live: LiveGateway) -> Powerwall:
    pw = Powerwall(live.host)
    await pw.login(live.gateway.password)
    return pw


def run(coro):
    return asyncio.run(coro)


def test_login_and_read_every_value(live: LiveGateway):
    async def story() -> None:
        async with Powerwall(live.host) as pw:
            login = await pw.login(live.gateway.password)
            assert login.roles and pw.is_authenticated()
            state = live.control("GET", "state")
            charge = await pw.get_charge()
            assert isinstance(charge, float) and charge == pytest.approx(state["soe_pct"])
            meters = await pw.get_meters()
            for name in ("site", "battery", "load", "solar"):
                meter = meters.get_meter(MeterType(name))
                assert meter is not None
                assert meter.instant_power == pytest.approx(state["power_w"][name])
                assert meter.energy_imported >= 0 and meter.energy_exported >= 0
            assert await pw.get_grid_status() == GridStatus.CONNECTED
            assert await pw.is_grid_services_active() is False
            capacity, energy = await pw.get_capacity(), await pw.get_energy()
            assert isinstance(capacity, int) and isinstance(energy, int)
            assert energy / capacity * 100 == pytest.approx(charge, abs=0.05)
            batteries = await pw.get_batteries()
            assert len(batteries) == 2 and sum(b.capacity for b in batteries) == capacity
            assert await pw.get_instantaneous_max_charge_power() > 0
            assert await pw.get_instantaneous_max_discharge_power() > 0
            info = await pw.get_site_info()
            assert info.site_name == "Home Energy Gateway" and info.nominal_system_energy == 27
            status = await pw.get_status()
            assert status.version == "24.4.0 0fe780c9" and status.device_type.value == "teg"
            assert isinstance(status.up_time_seconds, timedelta)
            assert await pw.get_version() == "24.4.0"
            assert await pw.get_device_type() == status.device_type
            sitemaster = await pw.get_sitemaster()
            assert sitemaster.is_running and sitemaster.is_connected_to_tesla
            assert await pw.get_operation_mode() == OperationMode.SELF_CONSUMPTION
            assert await pw.get_backup_reserve_percentage() == pytest.approx(
                state["operation"]["backup_reserve_percent"]
            )
            serials = await pw.get_serial_numbers()
            assert serials == list(live.gateway.identity.powerwall_serials)
            assert await pw.get_gateway_din() == live.gateway.identity.din == await pw.get_vin()
            solars = await pw.get_solars()
            assert solars[0].power_rating_watts == 6000
            site, solar = await pw.get_meter_site(), await pw.get_meter_solar()
            assert site.location == MeterType.SITE and solar.location == MeterType.SOLAR
            assert site.readings.instant_power == pytest.approx(state["power_w"]["site"])

    run(story())


def test_site_name_can_be_changed(live: LiveGateway):
    async def story() -> None:
        async with Powerwall(live.host) as pw:
            await pw.login(live.gateway.password)
            await pw.set_site_name("Cabin")
            assert (await pw.get_site_info()).site_name == "Cabin"
            await pw.set_site_name("Home Energy Gateway")

    run(story())


def test_island_and_reconnect(live: LiveGateway):
    async def story() -> None:
        async with Powerwall(live.host) as pw:
            await pw.login(live.gateway.password)
            assert await pw.set_island_mode(IslandMode.OFFGRID) == IslandMode.OFFGRID
            live.control("POST", "clock", {"advance_s": 2})
            assert await pw.get_grid_status() == GridStatus.ISLANDED
            assert (await pw.get_meters()).site.instant_power == 0
            assert await pw.set_island_mode(IslandMode.ONGRID) == IslandMode.ONGRID
            assert await pw.get_grid_status() == GridStatus.TRANSITION_TO_GRID
            live.control("POST", "clock", {"advance_s": 30})
            assert await pw.get_grid_status() == GridStatus.CONNECTED

    run(story())


def test_sitemaster_stop_and_run(live: LiveGateway):
    async def story() -> None:
        async with Powerwall(live.host) as pw:
            await pw.login(live.gateway.password)
            await pw.stop()
            assert not (await pw.get_sitemaster()).is_running
            await pw.run()
            assert (await pw.get_sitemaster()).is_running

    run(story())


def test_a_wrong_password_is_refused(live: LiveGateway):
    async def story() -> None:
        async with Powerwall(live.host) as pw:
            with pytest.raises(AccessDeniedError, match="bad credentials"):
                await pw.login("not-the-password")
            assert not pw.is_authenticated()

    run(story())


def test_logout_revokes_the_session(live: LiveGateway):
    async def story() -> None:
        async with Powerwall(live.host) as pw:
            await pw.login(live.gateway.password)
            await pw.get_charge()
            await pw.logout()
            with pytest.raises(AccessDeniedError):
                await pw.get_charge()

    run(story())
