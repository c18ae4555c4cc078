"""The /_emulator/ control API drives the gateway; bad input changes nothing."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from emulator.firmware.vitals import vitals_pb2

VITALS_PB: Any = vitals_pb2  # protoc's classes are made at import time: no types to check


def test_state_reports_time_soe_power_grid_sitemaster_and_operation(client):
    state = client.get("/_emulator/state").json()
    assert state["firmware"] == "1.15.0" and state["paused"] is True
    assert set(state["power_w"]) == {"site", "battery", "load", "solar"}
    assert state["grid"] == {"connected": True, "utility_up": True, "status": "SystemGridConnected"}
    assert state["sitemaster"] == {"running": True}
    assert state["operation"]["mode"] == "self_consumption"
    assert state["sim_time"].startswith("2026-07-01T06:00:00")


def test_grid_down_islands_through_the_transition_and_back(client):
    down = client.post("/_emulator/grid", json={"connected": False}).json()
    assert down["grid"]["status"] == "SystemTransitionToIsland"
    client.post("/_emulator/clock", json={"advance_s": 2})
    state = client.get("/_emulator/state").json()
    assert state["grid"]["status"] == "SystemIslandedActive" and state["power_w"]["site"] == 0
    assert client.get("/api/system_status/grid_status").json() == {"grid_status": "SystemIslandedActive"}
    up = client.post("/_emulator/grid", json={"connected": True}).json()
    assert up["grid"]["status"] == "SystemTransitionToGrid"
    client.post("/_emulator/clock", json={"advance_s": 30})
    assert client.get("/_emulator/state").json()["grid"]["status"] == "SystemGridConnected"


def test_clock_advances_pauses_and_changes_speed(client, fake_time):
    start = client.get("/_emulator/state").json()["sim_time_s"]
    assert client.post("/_emulator/clock", json={"advance_s": 3600}).json()["sim_time_s"] == start + 3600
    client.post("/_emulator/clock", json={"paused": False, "speed": 60})
    fake_time.tick(10)
    assert client.get("/_emulator/state").json()["sim_time_s"] == pytest.approx(start + 3600 + 600)
    client.post("/_emulator/clock", json={"paused": True})
    fake_time.tick(10)
    assert client.get("/_emulator/state").json()["sim_time_s"] == pytest.approx(start + 4200)


def test_patch_state_sets_soe_and_overrides_and_null_clears_them(client):
    state = client.patch("/_emulator/state", json={"soe_pct": 15.5, "solar_w": 0, "load_w": 2500}).json()
    assert state["soe_pct"] == pytest.approx(15.5)
    assert state["power_w"]["load"] == 2500 and state["power_w"]["solar"] == 0
    assert state["power_w"]["battery"] == 0  # at 15.5 % the 20 % reserve holds the battery
    cleared = client.patch("/_emulator/state", json={"load_w": None}).json()
    assert cleared["overrides"]["load_w"] is None and cleared["overrides"]["solar_w"] == 0


def test_sitemaster_and_operation_controls(client):
    assert client.post("/_emulator/sitemaster", json={"running": False}).json()["sitemaster"]["running"] is False
    assert client.get("/api/meters/aggregates").status_code == 502
    client.post("/_emulator/sitemaster", json={"running": True})
    op = client.post("/_emulator/operation", json={"mode": "backup", "backup_reserve_app_percent": 20}).json()[
        "operation"
    ]
    assert op == {"mode": "backup", "backup_reserve_percent": 24.0, "backup_reserve_app_percent": pytest.approx(20)}


def test_reset_restores_the_start(client):
    first = client.get("/_emulator/state").json()
    client.post("/_emulator/clock", json={"advance_s": 7200})
    client.post("/_emulator/grid", json={"connected": False})
    client.patch("/_emulator/state", json={"soe_pct": 3})
    client.post("/api/login/Basic", json={"password": "ST123456789"})
    reset = client.post("/_emulator/reset").json()
    assert reset == first


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/_emulator/grid", "POST", {"connected": "no"}),
        ("/_emulator/grid", "POST", {}),
        ("/_emulator/clock", "POST", {"advance_s": -5}),
        ("/_emulator/clock", "POST", {"speed": "fast"}),
        ("/_emulator/clock", "POST", {"warp": 9}),
        ("/_emulator/clock", "POST", {}),
        ("/_emulator/state", "PATCH", {"soe_pct": 140}),
        ("/_emulator/state", "PATCH", {"cloud_cover": 2}),
        ("/_emulator/state", "PATCH", {"load_w": -10}),
        ("/_emulator/state", "PATCH", {"colour": 1}),
        ("/_emulator/sitemaster", "POST", {"running": 1}),
        ("/_emulator/operation", "POST", {"mode": "turbo"}),
        ("/_emulator/operation", "POST", {"backup_reserve_percent": 10, "backup_reserve_app_percent": 10}),
    ],
)
def test_bad_control_input_gets_400_and_changes_nothing(client, path, method, body):
    before = client.get("/_emulator/state").json()
    response = client.request(method, path, json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "error", "message"}
    assert client.get("/_emulator/state").json() == before


def test_malformed_control_json_is_refused(client):
    response = client.post("/_emulator/grid", content=b"{oops", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "malformed JSON" in response.json()["message"]


NEGATIVE_ZERO = re.compile(rb"-0\.0(?![0-9eE])")


def test_a_soe_below_the_smallest_float_is_zero_without_a_sign(client):
    """-1e-400 underflows to -0.0 when parsed; it must not come back as {"percentage": -0.0}."""
    patched = client.patch("/_emulator/state", json={"soe_pct": -1e-400})
    assert patched.status_code == 200 and patched.json()["soe_pct"] == 0
    assert not NEGATIVE_ZERO.search(patched.content), patched.text
    assert client.get("/api/system_status/soe").content == b'{"percentage":0.0}'


@pytest.mark.parametrize("firmware", ["1.15.0", "21.44.1", "24.4.0", "25.10.1"])
@pytest.mark.parametrize(
    ("state", "operation"),
    [
        ({"soe_pct": -0.0, "solar_w": 0, "load_w": -0.0, "cloud_cover": -0.0}, {"backup_reserve_percent": -0.0}),
        ({"soe_pct": 0}, {"mode": "backup", "backup_reserve_percent": 100}),  # the model's own -0.0 battery power
    ],
    ids=["negative zeros sent", "idle battery in backup"],
)
def test_no_answer_carries_a_negative_zero(make_client, firmware, state, operation):
    """Every GET, the state and the vitals say 0 where a value is zero, never -0 (at 06:00, then at noon)."""
    client = make_client(firmware=firmware)
    gateway = client.app.state.context.gateway
    if firmware != "1.15.0":
        client.post("/api/login/Basic", json={"username": "customer", "password": gateway.password})
    client.patch("/_emulator/state", json=state)
    client.post("/_emulator/operation", json=operation)
    reads = [
        path
        for path, methods in gateway.facts.paths.items()
        if "GET" in methods
        and "{" not in path
        and not path.startswith(("/tedapi", "/api/sitemaster/", "/api/config/", "/api/logout"))
    ]
    for hours in (0, 6):
        client.post("/_emulator/clock", json={"advance_s": hours * 3600})
        for path in [*reads, "/_emulator/state"]:
            answer = client.get(path)
            assert not NEGATIVE_ZERO.search(answer.content), f"{path} after {hours} h more: {answer.text[:300]}"
            if path == "/api/devices/vitals":
                message = VITALS_PB.DevicesWithVitals.FromString(answer.content)
                vitals = [v for device in message.devices for v in device.vitals if v.HasField("floatValue")]
                assert vitals and not [v.name for v in vitals if math.copysign(1, v.floatValue) < 0 == v.floatValue]
