"""pypowerwall (Powerwall-Dashboard's library), unmodified from PyPI, against the 24.4.0 emulator over HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pypowerwall = pytest.importorskip("pypowerwall")

from tests.support.clients import LiveGateway, live_gateway  # noqa: E402


@pytest.fixture(scope="module")
def live():
    yield from live_gateway(powerwalls=2, soe_pct=55.5, start=datetime(2026, 7, 1, 20, 0, tzinfo=UTC))


@pytest.fixture
def pw(live: LiveGateway, tmp_path):
    client = pypowerwall.Powerwall(
        live.host,
        password=live.gateway.password,
        email="nobody@nowhere.com",
        cachefile=str(tmp_path / ".powerwall"),
        pwcacheexpire=0,
    )
    yield client


def test_reads_every_value_and_they_agree_with_the_emulator(live: LiveGateway, pw):
    state = live.control("GET", "state")
    assert pw.level() == pytest.approx(state["soe_pct"])
    assert pw.level(scale=True) == pytest.approx((state["soe_pct"] - 5) / 0.95)
    assert pw.site() == pytest.approx(state["power_w"]["site"])
    assert pw.solar() == pytest.approx(state["power_w"]["solar"])
    assert pw.battery() == pytest.approx(state["power_w"]["battery"])
    assert pw.load() == pytest.approx(state["power_w"]["load"])
    power = pw.power()
    assert power["load"] == pytest.approx(power["site"] + power["battery"] + power["solar"])
    assert pw.grid_status() == "UP"
    assert pw.grid_status("numeric") == 1
    assert pw.site_name() == "Home Energy Gateway"
    assert pw.version() == "24.4.0 0fe780c9"
    assert pw.din() == live.gateway.identity.din
    assert pw.uptime()
    assert pw.status()["device_type"] == "teg"
    status = pw.system_status()
    assert status["nominal_full_pack_energy"] == round(live.gateway.model.state.full_wh)
    assert len(pw.battery_blocks()) == 2
    assert pw.get_reserve() == pytest.approx(state["operation"]["backup_reserve_app_percent"])
    assert pw.get_reserve(scale=False) == pytest.approx(state["operation"]["backup_reserve_percent"])
    assert pw.get_mode() == state["operation"]["mode"]
    assert pw.get_time_remaining() == pytest.approx(status["nominal_energy_remaining"] / state["power_w"]["load"])
    assert pw.is_connected()
    assert isinstance(pw.alerts(), list)


def test_site_meter_detail_is_the_whole_meter_object(pw):
    site = pw.site(verbose=True)
    assert {"instant_power", "energy_imported", "energy_exported", "last_communication_time"} <= set(site)


def test_sets_reserve_and_mode_and_reads_them_back(live: LiveGateway, pw):
    pw.set_reserve(42)
    assert pw.get_reserve(scale=False) == pytest.approx(42)
    assert live.control("GET", "state")["operation"]["backup_reserve_percent"] == pytest.approx(42)
    pw.set_mode("backup")
    assert pw.get_mode() == "backup"
    pw.set_operation(level=30, mode="self_consumption")
    state = live.control("GET", "state")
    assert state["operation"]["mode"] == "self_consumption"
    assert state["operation"]["backup_reserve_percent"] == pytest.approx(30)


def test_grid_outage_shows_as_down(live: LiveGateway, pw):
    live.control("POST", "grid", {"connected": False})
    live.control("POST", "clock", {"advance_s": 5})
    try:
        assert pw.grid_status() == "DOWN"
        assert pw.site() == 0
    finally:
        live.control("POST", "grid", {"connected": True})
        live.control("POST", "clock", {"advance_s": 30})
    assert pw.grid_status() == "UP"


def test_a_wrong_password_is_refused(live: LiveGateway, tmp_path):
    from pypowerwall.local.exceptions import LoginError

    bad = pypowerwall.Powerwall(live.host, password="wrong", cachefile=str(tmp_path / ".pw"), pwcacheexpire=0)
    sessions = len(live.gateway.logins.sessions)
    with pytest.raises(LoginError, match="Invalid Powerwall Login"):
        bad.level()
    assert len(live.gateway.logins.sessions) == sessions
