"""pypowerwall 0.22.2's local mode, unmodified from PyPI, decodes 21.44.1's protobuf vitals over HTTPS:
vitals(), strings(), temps() and alerts() agree with the emulator's state, through an outage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pypowerwall = pytest.importorskip("pypowerwall")

from tests.support.clients import LiveGateway, live_gateway  # noqa: E402


@pytest.fixture(scope="module")
def live():
    # midday in Los Angeles, so the Powerwall+ strings produce
    yield from live_gateway(
        firmware="21.44.1", powerwalls=2, soe_pct=55.5, start=datetime(2026, 6, 21, 19, 0, tzinfo=UTC)
    )


@pytest.fixture
def pw(live: LiveGateway, tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)  # it would override pypowerwall's verify=False
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    return pypowerwall.Powerwall(
        live.host,
        password=live.gateway.password,
        email="nobody@nowhere.com",
        cachefile=str(tmp_path / ".powerwall"),
        pwcacheexpire=0,
    )


def test_pypowerwall_decodes_vitals_strings_and_temps_that_agree_with_the_emulator(live: LiveGateway, pw):
    state = live.control("GET", "state")
    vitals = pw.vitals()
    serials = live.gateway.identity.powerwall_serials
    assert {name for name in vitals if name.startswith("TETHC--")} == {f"TETHC--3012170-05-B--{s}" for s in serials}
    pods = [v for name, v in vitals.items() if name.startswith("TEPOD--")]
    assert sum(p["POD_nom_energy_remaining"] for p in pods) == pytest.approx(live.gateway.model.state.energy_wh, abs=2)
    pinvs = [v for name, v in vitals.items() if name.startswith("TEPINV--")]
    assert 1000 * sum(p["PINV_Pout"] for p in pinvs) == pytest.approx(state["power_w"]["battery"])
    assert all(v["componentParentDin"].startswith("TETHC--") for v in pods + pinvs)
    assert {v["teslaEnergyEcuAttributes"]["ecuType"] for v in pods} == {226}

    strings = pw.strings()
    assert set(strings) == {"A", "B", "C", "D"}
    assert sum(s["Power"] for s in strings.values()) == pytest.approx(state["power_w"]["solar"])
    assert [strings[s]["Connected"] for s in "ABCD"] == [True, True, True, False]
    assert strings["A"]["State"] == "PV_Active" and strings["D"]["State"] == "PV_Disabled"

    temps = pw.temps()
    assert set(temps) == {f"TETHC--3012170-05-B--{s}" for s in serials}
    assert all(10 < t < 40 for t in temps.values())
    blocks = pw.battery_blocks()
    assert {blocks[s]["temperature"] for s in serials} == set(temps.values())


def test_pypowerwall_alerts_show_an_outage_and_its_end(live: LiveGateway, pw):
    assert "SystemConnectedToGrid" in pw.alerts()
    live.control("POST", "grid", {"connected": False})
    live.control("POST", "clock", {"advance_s": 5})
    try:
        alerts = pw.alerts()
        assert {"UnscheduledIslandContactorOpen", "SYNC_a038_DoOpenArguments", "SystemIslandedActive"} <= set(alerts)
        assert "SystemConnectedToGrid" not in alerts
    finally:
        live.control("POST", "grid", {"connected": True})
        live.control("POST", "clock", {"advance_s": 30})
    alerts = pw.alerts()
    assert "SystemConnectedToGrid" in alerts and "UnscheduledIslandContactorOpen" not in alerts
