"""Scenarios served live: events fire as the sim clock passes them, whoever is looking; control routes."""

from __future__ import annotations

import pytest

from emulator import contract
from emulator.scenario import bundled_names
from tests.support.app import login_1_15


def valid(response, schema: str) -> dict:
    body = response.json()
    errors = list(contract.validator(schema).iter_errors(body))
    assert not errors, errors[0].message
    return body


def test_the_scenarios_route_lists_every_bundled_scenario(client):
    body = valid(client.get("/_emulator/scenarios"), "control/scenarios.json")
    assert [s["name"] for s in body["scenarios"]] == bundled_names()
    outage = next(s for s in body["scenarios"] if s["name"] == "evening-outage")
    assert outage["title"] == "Evening outage the battery rides through" and "18:30" in outage["description"]


def test_no_scenario_is_loaded_at_first(client):
    body = valid(client.get("/_emulator/scenario"), "control/scenario.status.json")
    assert body["name"] is None and body["next_events"] == [] and body["fired_events"] == []


def test_loading_a_scenario_resets_to_its_start_and_events_fire_as_the_clock_passes(client, fake_time):
    loaded = valid(client.post("/_emulator/scenario", json={"name": "evening-outage"}), "control/scenario.status.json")
    assert loaded["name"] == "evening-outage" and loaded["start"] == loaded["sim_time"] == "2026-07-15T00:00:00-07:00"
    assert [e["label"] for e in loaded["next_events"]] == [
        "grid fails",
        "oven (4.2 kW)",
        "oven (4.2 kW) ends",
        "grid back",
    ]
    state = client.get("/_emulator/state").json()
    assert state["soe_pct"] == pytest.approx(45) and state["paused"] is True  # the clock keeps its pause
    client.post("/_emulator/clock", json={"paused": False, "speed": 3600})
    fake_time.tick(18.5)  # 18.5 sim hours pass; nobody asked anything meanwhile
    assert client.get("/api/system_status/grid_status").json() == {"grid_status": "SystemTransitionToIsland"}
    fake_time.tick(0.25)
    assert client.get("/api/system_status/grid_status").json() == {"grid_status": "SystemIslandedActive"}
    status = client.get("/_emulator/scenario").json()
    assert [e["event"] for e in status["fired_events"]] == ["grid_down"]
    assert status["fired_events"][0]["at"] == "2026-07-15T18:30:00-07:00"
    assert [e["event"] for e in status["next_events"]] == ["load_spike", "load_spike_end", "grid_up"]


def test_pause_and_advance_still_drive_a_loaded_scenario(client, fake_time):
    client.post("/_emulator/scenario", json={"name": "evening-outage"})
    client.post("/_emulator/clock", json={"advance_s": 19 * 3600 + 600})  # 19:10, the oven is on
    aggregates = client.get("/api/meters/aggregates").json()
    assert aggregates["load"]["instant_power"] == 4200 and aggregates["site"]["instant_power"] == 0
    fake_time.tick(3600)  # paused: nothing moves
    assert client.get("/_emulator/scenario").json()["sim_time"] == "2026-07-15T19:10:00-07:00"
    client.post("/_emulator/clock", json={"advance_s": 3 * 3600})
    status = client.get("/_emulator/scenario").json()
    assert status["next_events"] == [] and len(status["fired_events"]) == 4
    assert client.get("/_emulator/state").json()["grid"]["status"] == "SystemGridConnected"


def test_reset_replays_the_loaded_scenario_from_its_start(client):
    client.post("/_emulator/scenario", json={"name": "evening-outage"})
    client.post("/_emulator/clock", json={"advance_s": 20 * 3600})
    client.post("/_emulator/reset")
    status = client.get("/_emulator/scenario").json()
    assert status["name"] == "evening-outage" and status["sim_time"] == "2026-07-15T00:00:00-07:00"
    assert status["fired_events"] == [] and len(status["next_events"]) == 4


def test_a_scenario_login_stops_sitemaster_on_1_15_for_every_client(client):
    client.post("/_emulator/scenario", json={"name": "login-stops-sitemaster"})
    client.post("/_emulator/clock", json={"advance_s": 4 * 3600 + 60})  # 10:01
    assert client.get("/api/meters/aggregates").status_code == 502
    assert client.get("/api/sitemaster").json()["running"] is False
    client.post("/_emulator/clock", json={"advance_s": 30 * 60})  # 10:31, after sitemaster/run
    assert client.get("/api/meters/aggregates").status_code == 200


def test_loading_another_site_changes_what_the_gateway_reports(client):
    headers = login_1_15(client)
    assert len(client.get("/api/powerwalls", headers=headers).json()["powerwalls"]) == 1
    client.post("/_emulator/scenario", json={"name": "two-powerwalls-grid-restore"})
    assert len(client.get("/api/powerwalls").json()["powerwalls"]) == 2
    assert client.get("/api/site_info").json()["nominal_system_energy_kWh"] == 27
    assert client.get("/api/powerwalls/status", headers=headers).status_code == 401  # a load resets sessions


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"name": "no-such-day"}, 404, "no bundled scenario 'no-such-day'"),
        ({"name": "../scenarios/evening-outage"}, 404, "no bundled scenario"),
        ({}, 400, "'name' is a required property"),
        ({"name": 7}, 400, "7 is not of type 'string'"),
        ({"name": "evening-outage", "speed": 3}, 400, "Additional properties are not allowed"),
    ],
)
def test_bad_loads_are_refused_and_change_nothing(client, body, status, message):
    before = client.get("/_emulator/state").json()
    response = client.post("/_emulator/scenario", json=body)
    assert response.status_code == status and message in response.json()["message"]
    valid(response, "common/error.json")
    assert client.get("/_emulator/state").json() == before
    assert client.get("/_emulator/scenario").json()["name"] is None


def test_malformed_json_is_a_400(client):
    response = client.post("/_emulator/scenario", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "malformed JSON" in response.json()["message"]


def test_a_scenario_for_other_firmware_is_a_409(make_client):
    client = make_client(firmware="24.4.0")
    response = client.post("/_emulator/scenario", json={"name": "login-stops-sitemaster"})
    assert response.status_code == 409
    assert response.json()["message"] == "scenario 'login-stops-sitemaster' needs firmware 1.15.0, not 24.4.0"
    assert client.post("/_emulator/scenario", json={"name": "evening-outage"}).status_code == 200  # any firmware
