"""Every endpoint of the seed notes (firmware 1.15.0), as a client sees it over HTTP."""

from __future__ import annotations

import re

import pytest

from tests.support.app import login_1_15

OPEN_READS = [
    "/api/meters/aggregates",
    "/api/system_status/soe",
    "/api/sitemaster",
    "/api/powerwalls",
    "/api/customer/registration",
    "/api/system_status/grid_status",
    "/api/system/update/status",
    "/api/site_info",
    "/api/site_info/site_name",
    "/api/status",
    "/api/system_status/grid_faults",
]
PROTECTED_READS = [
    "/api/operation",
    "/api/site_info/grid_codes",
    "/api/solars",
    "/api/solars/brands",
    "/api/solars/brands/SolarEdge%20Technologies",
    "/api/generators",
    "/api/generators/disconnect_types",
    "/api/customer",
    "/api/config",
    "/api/meters",
    "/api/installer",
    "/api/installer/companies",
    "/api/networks",
    "/api/system/networks",
    "/api/networks/wifi_security_types",
    "/api/meters/readings",
    "/api/system/testing",
    "/api/system/networks/conn_tests",
]


@pytest.mark.parametrize("path", OPEN_READS)
def test_open_reads_answer_json_without_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    response.json()


@pytest.mark.parametrize("path", PROTECTED_READS)
def test_protected_reads_refuse_without_a_token_and_answer_with_one(client, path):
    refused = client.get(path)
    assert refused.status_code == 401
    assert set(refused.json()) == {"code", "error", "message"} and refused.json()["code"] == 401
    forged = client.get(path, headers={"Authorization": "Bearer not-a-real-token"})
    assert forged.status_code == 401
    headers = login_1_15(client)
    client.get("/api/sitemaster/run")
    assert client.get(path, headers=headers).status_code == 200


def test_bodies_carry_the_seed_quirks(client):
    status = client.get("/api/status").json()
    assert status["version"] == "1.15.0\n" and status["git_hash"].endswith("\n")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0800", status["start_time"])
    client.post("/_emulator/clock", json={"advance_s": 166594})
    assert client.get("/api/sitemaster").json() == {"running": True, "uptime": "166594s,", "connected_to_tesla": True}
    assert re.fullmatch(r"46h16m34s", client.get("/api/status").json()["up_time_seconds"])
    aggregates = client.get("/api/meters/aggregates").json()
    assert list(aggregates) == ["site", "battery", "load", "solar", "busway", "frequency", "generator"]
    assert aggregates["busway"]["last_communication_time"] == "0001-01-01T00:00:00Z"
    assert client.get("/api/system_status/grid_faults").json() == []
    assert client.get("/api/system_status/grid_status").json() == {"grid_status": "SystemGridConnected"}
    update = client.get("/api/system/update/status").json()
    assert update["state"] == "/update_failed" and update["info"] == {"status": ["nonactionable"]}


def test_aggregates_obey_the_balance_and_match_the_soe_endpoint(client):
    client.post("/_emulator/clock", json={"advance_s": 6 * 3600})
    meters = client.get("/api/meters/aggregates").json()
    power = {name: meters[name]["instant_power"] for name in ("site", "battery", "load", "solar")}
    assert power["load"] == pytest.approx(power["site"] + power["battery"] + power["solar"], abs=1e-6)
    state = client.get("/_emulator/state").json()
    assert client.get("/api/system_status/soe").json()["percentage"] == pytest.approx(state["soe_pct"])
    assert power == pytest.approx(state["power_w"])


def test_values_move_with_sim_time_and_counters_only_grow(client):
    first = client.get("/api/meters/aggregates").json()
    soe_before = client.get("/api/system_status/soe").json()["percentage"]
    client.post("/_emulator/clock", json={"advance_s": 3 * 3600})
    second = client.get("/api/meters/aggregates").json()
    assert client.get("/api/system_status/soe").json()["percentage"] != soe_before
    assert second["load"]["instant_power"] != first["load"]["instant_power"]
    for meter in ("site", "battery", "load", "solar"):
        for counter in ("energy_imported", "energy_exported"):
            assert second[meter][counter] >= first[meter][counter]
    assert second["load"]["energy_imported"] > first["load"]["energy_imported"]


def test_login_with_the_serial_password_returns_a_token_and_stops_sitemaster(client):
    response = client.post("/api/login/Basic", json={"username": "", "password": "ST123456789", "force_sm_off": False})
    body = response.json()
    assert response.status_code == 200
    assert body["roles"] == ["Provider_Engineer"] and body["provider"] == "Basic" and len(body["token"]) == 88
    assert client.get("/api/sitemaster").json() == {"running": False, "uptime": "log:", "connected_to_tesla": False}


@pytest.mark.parametrize(
    "path",
    [
        "/api/meters/aggregates",
        "/api/system_status/soe",
        "/api/system_status/grid_status",
        "/api/system_status/grid_faults",
    ],
)
def test_live_data_answers_502_with_an_empty_body_while_sitemaster_is_stopped(client, path):
    login_1_15(client)
    response = client.get(path)
    assert response.status_code == 502 and response.content == b""
    assert "content-type" not in response.headers
    assert client.get("/api/sitemaster/run").status_code == 202
    assert client.get(path).status_code == 200


def test_a_stopped_battery_neither_charges_nor_discharges(client):
    login_1_15(client)
    soe = client.get("/_emulator/state").json()["soe_pct"]
    client.post("/_emulator/clock", json={"advance_s": 4 * 3600})
    state = client.get("/_emulator/state").json()
    assert state["soe_pct"] == soe and state["power_w"]["battery"] == 0


def test_wrong_password_is_refused_with_the_real_body_and_does_not_stop_sitemaster(client):
    response = client.post("/api/login/Basic", json={"username": "", "password": "S999", "force_sm_off": False})
    assert response.status_code == 401
    assert response.json() == {"code": 401, "error": "Invalid Credentials", "message": "Login Error"}
    assert client.get("/api/sitemaster").json()["running"] is True


def test_logout_answers_204_and_revokes_the_token(client):
    headers = login_1_15(client)
    assert client.get("/api/operation", headers=headers).status_code == 200
    response = client.get("/api/logout", headers=headers)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["access-control-allow-origin"] == "*"
    assert client.get("/api/operation", headers=headers).status_code == 401


def test_several_tokens_are_valid_at_once(client):
    first, second = login_1_15(client), login_1_15(client)
    assert client.get("/api/config", headers=first).status_code == 200
    assert client.get("/api/config", headers=second).status_code == 200


def test_operation_is_staged_until_config_completed(client):
    headers = login_1_15(client)
    client.get("/api/sitemaster/run")
    posted = client.post("/api/operation", headers=headers, json={"mode": "backup", "backup_reserve_percent": 24.6})
    assert posted.json() == {"mode": "backup", "backup_reserve_percent": 24.6}
    assert client.get("/api/operation", headers=headers).json() == {"mode": "backup", "backup_reserve_percent": 24.6}
    state = client.get("/_emulator/state").json()
    assert state["operation"]["mode"] == "self_consumption" and state["staged_operation"]["mode"] == "backup"
    assert client.get("/api/config/completed").status_code == 202
    state = client.get("/_emulator/state").json()
    assert state["operation"]["mode"] == "backup" and state["staged_operation"] is None
    assert state["operation"]["backup_reserve_app_percent"] == pytest.approx(20.63, abs=0.01)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[]",
        b'{"mode": "turbo"}',
        b'{"mode": "backup", "backup_reserve_percent": 101}',
        b'{"mode": "backup", "backup_reserve_percent": -1}',
        b'{"mode": "backup", "backup_reserve_percent": "20"}',
        b'{"mode": 3}',
        b"{}",
        b'{"mode": "backup", "colour": "red"}',
        b'{"mode": "backup", "backup_reserve_percent": NaN}',
    ],
)
def test_bad_operation_posts_get_400_and_change_nothing(client, body):
    headers = login_1_15(client)
    before = client.get("/api/operation", headers=headers).json()
    response = client.post("/api/operation", headers={**headers, "content-type": "application/json"}, content=body)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "error", "message"}
    assert client.get("/api/operation", headers=headers).json() == before


def test_powerwalls_status_is_409_while_sitemaster_runs(client):
    headers = login_1_15(client)
    client.get("/api/sitemaster/run")
    response = client.get("/api/powerwalls/status", headers=headers)
    assert response.status_code == 409
    assert response.json() == {
        "code": 409,
        "error": "Sitemaster is current running",
        "message": "Sitemaster is current running",
    }
    client.get("/api/sitemaster/stop")
    assert client.get("/api/powerwalls/status", headers=headers).status_code == 200


def test_conn_tests_run_then_complete(client):
    headers = login_1_15(client)
    started = client.post("/api/system/networks/conn_tests", headers=headers).json()
    assert started == {"results": None, "timestamp": "0001-01-01T00:00:00Z"}
    client.post("/_emulator/clock", json={"advance_s": 10})
    done = client.get("/api/system/networks/conn_tests", headers=headers).json()
    assert all(result == {"pass": True, "error": ""} for result in done["results"].values())
    assert "Google GET Test" in done["results"]


def test_wizard_posts_change_what_the_wizard_reads(client):
    headers = login_1_15(client)
    assert client.post("/api/networks/171/disable", headers=headers).status_code == 202
    wifi = next(n for n in client.get("/api/networks", headers=headers).json() if n["name"] == "wifi0")
    assert wifi["config"]["enabled"] is False
    assert client.post("/api/networks/171/enable", headers=headers).status_code == 202
    assert client.post("/api/networks/999/enable", headers=headers).status_code == 404
    skipped = client.post("/api/customer/registration/skip", headers=headers).json()
    assert skipped["skipped_registration"] is True
    legal = client.post(
        "/api/customer/registration/legal", headers=headers, json={"marketing": False, "privacy_notice": True}
    )
    assert legal.status_code == 200
    assert client.post("/api/logging", headers=headers, json={"level": "info", "log": "hi"}).status_code == 204
    assert client.post("/api/networks/wifi_scan", headers=headers).json()[0]["network_name"]
    assert client.post("/api/sitemaster/run_for_commissioning", headers=headers).status_code == 202


def test_meter_verify_checks_the_serial(client):
    headers = login_1_15(client)
    serial = client.get("/api/meters", headers=headers).json()[0]["serial"]
    ok = client.post(
        f"/api/meters/{serial}/verify", headers=headers, json={"short_id": "12345", "serial": f" {serial} "}
    )
    assert ok.status_code == 200 and ok.json()["verified"] is True
    unknown = client.post("/api/meters/NOPE/verify", headers=headers, json={"short_id": "1", "serial": "NOPE"})
    assert unknown.status_code == 404
    assert client.post(f"/api/meters/{serial}/verify", headers=headers, json={"short_id": 5}).status_code == 400


def test_solar_brand_lookup(client):
    headers = login_1_15(client)
    models = client.get("/api/solars/brands/SolarEdge%20Technologies", headers=headers).json()
    assert any("SE5000" in m for m in models)
    assert client.get("/api/solars/brands/Nobody", headers=headers).status_code == 404
    assert client.get("/api/solars", headers=headers).json()[0]["power_rating_watts"] == 6000


def test_unknown_paths_and_methods_answer_json(client):
    missing = client.get("/api/does/not/exist")
    assert missing.status_code == 404 and missing.json()["code"] == 404
    wrong = client.delete("/api/meters/aggregates")
    assert wrong.status_code == 405 and wrong.json()["code"] == 405


def test_endpoints_of_newer_firmware_are_absent_on_1_15(client):
    assert client.get("/api/system_status").status_code == 404


def test_same_seed_start_and_requests_give_the_same_answers(make_client):
    def story(client) -> list[bytes]:
        answers = []
        for step in ({"advance_s": 3600}, {"advance_s": 1234.5}, {"advance_s": 7 * 3600}):
            client.post("/_emulator/clock", json=step)
            answers += [
                client.get(p).content for p in ("/api/meters/aggregates", "/api/system_status/soe", "/api/status")
            ]
        client.post("/_emulator/grid", json={"connected": False})
        client.post("/_emulator/clock", json={"advance_s": 600})
        return answers + [client.get("/api/meters/aggregates").content]

    first, second = make_client(seed=7), make_client(seed=7)
    assert story(first) == story(second)
    assert story(make_client(seed=8)) != story(make_client(seed=7))
