"""Every answer the emulator gives validates against openapi.yaml + schemas/, in every documented state,
and the emulator serves exactly the paths the spec lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from emulator import contract, create_app
from emulator.device import commands, direct_control
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.device.gateway import Gateway
from emulator.firmware import PROFILES, profile_of
from tests.support.app import gateway_of

STATES = ("running", "stopped", "islanded", "transitioning")
Body = Callable[[Gateway], dict[str, Any] | None]
POST_BODIES: dict[str, Body] = {
    "login.Basic": lambda gw: {"username": "customer", "password": gw.password, "email": "", "force_sm_off": False},
    "operation": lambda gw: {
        "mode" if gw.facts.version == "1.15.0" else "real_mode": "backup",
        "backup_reserve_percent": 30.5,
    },
    "site_info.site_name": lambda gw: {"site_name": "Cabin"},
    "v2.islanding.mode": lambda gw: {"island_mode": "intentional_reconnect_failsafe"},
    "password.change": lambda gw: {"old_password": gw.password, "new_password": "n3w-pass"},
    "meters.serial.verify": lambda gw: {"short_id": "12345", "serial": gw.identity.meter_serial},
    "networks": lambda gw: {
        "interface": "WifiType",
        "network_name": "Cabin",
        "security_type": "WPA2_Personal",
        "password": "x",
    },
    "logging": lambda gw: {"level": "info", "log": "hello"},
    "customer.registration.legal": lambda gw: {"marketing": False, "privacy_notice": True},
    "sitemaster.stop": lambda gw: {"force": True},
}


def no_body(gw: Gateway) -> None:
    return None


def concrete(path: str, gw) -> str:
    serial = gw.identity.meter_serial + ("synchrometerX" if "/cts" in path else "")
    return (
        path.replace("{serial}", serial)
        .replace("{brand}", "SolarEdge Technologies")
        .replace("{id}", sorted(profile_of(gw).bodies.network_ids())[-1])
    )


def client_in(firmware: str, state: str) -> tuple[TestClient, dict[str, str]]:
    gw = build_gateway(EmulatorOptions(firmware=firmware, paused=True, powerwalls=2))
    client = TestClient(create_app(gw), raise_server_exceptions=False)
    login = client.post("/api/login/Basic", json=POST_BODIES["login.Basic"](gw))
    headers = {"Authorization": "Bearer " + login.json()["token"]}
    client.cookies.clear()
    commands.run_sitemaster(gw)
    if state == "stopped":
        commands.stop_sitemaster(gw)
    elif state in ("islanded", "transitioning"):
        direct_control.set_utility_grid(gw, False)
        if state == "islanded":
            gw.clock.advance(5)
    return client, headers


def check(op: contract.Operation, response, where: str) -> None:
    assert op.documents(response.status_code), (
        f"{where}: status {response.status_code} is not in the spec: {response.text[:200]}"
    )
    name = op.response_schema(response.status_code)
    media = op.media_type(response.status_code)
    if media not in (None, "application/json"):  # a binary body (the vitals protobuf): its type and some bytes
        assert response.headers["content-type"] == media and response.content, where
        return
    if name is None:
        assert response.content == b"", f"{where}: {response.status_code} should have no body"
        return
    assert response.headers["content-type"] == "application/json", where
    body = response.json()
    errors = list(contract.validator(name).iter_errors(body))
    assert not errors, f"{where}: {errors[0].message} at {'/'.join(map(str, errors[0].absolute_path))}"
    if response.status_code < 300 and not where.startswith(
        "1.15.0"
    ):  # tesla-powerwall rejects any 2xx body with an error key
        assert not (isinstance(body, dict) and "error" in body), f"{where}: a 200 body with an error key"


def api_operations(firmware: str, method: str) -> list[contract.Operation]:
    return [
        op
        for op in contract.operations()
        if op.serves(firmware) and op.method == method and op.path.startswith("/api/")
    ]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("firmware", sorted(PROFILES))
def test_every_get_answer_validates(firmware, state):
    client, headers = client_in(firmware, state)
    gw = gateway_of(client)
    for op in api_operations(firmware, "GET"):
        if op.route == "logout":
            continue
        check(op, client.get(concrete(op.path, gw), headers=headers), f"{firmware}/{state} GET {op.path}")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("firmware", sorted(PROFILES))
def test_every_post_answer_validates(firmware, state):
    for op in api_operations(firmware, "POST"):
        client, headers = client_in(firmware, state)
        gw = gateway_of(client)
        body = POST_BODIES.get(op.route or "", no_body)(gw)
        response = client.post(concrete(op.path, gw), headers=headers, json=body)
        check(op, response, f"{firmware}/{state} POST {op.path}")


@pytest.mark.parametrize("firmware", sorted(PROFILES))
def test_logged_out_answers_validate_and_protected_paths_refuse(firmware):
    client, headers = client_in(firmware, "running")
    gw = gateway_of(client)
    if PROFILES[firmware].serves("logout"):
        assert client.get("/api/logout", headers=headers).status_code == 204
    else:  # a Powerwall 3 has no /api/logout on the LAN: "logged out" is a session that was never made
        client.cookies.clear()
        headers = {"Authorization": "Bearer never-issued"}
    for op in api_operations(firmware, "GET") + api_operations(firmware, "POST"):
        path = concrete(op.path, gw)
        for creds in ({}, headers, {"Authorization": "Bearer forged"}):
            response = client.request(op.method, path, headers=creds, json=POST_BODIES.get(op.route or "", no_body)(gw))
            client.cookies.clear()  # a login among the operations must not log the rest in
            check(op, response, f"{firmware} logged-out {op.method} {op.path}")
            if op.needs_login(firmware):
                assert response.status_code in (401, 403), (
                    f"{op.method} {op.path} answered {response.status_code} without a session"
                )


@pytest.mark.parametrize("firmware", sorted(PROFILES))
def test_bad_bodies_get_a_documented_400(firmware):
    for op in api_operations(firmware, "POST"):
        if op.route not in POST_BODIES or op.route == "sitemaster.stop":
            continue
        client, headers = client_in(firmware, "running")
        response = client.post(
            concrete(op.path, gateway_of(client)),
            headers={**headers, "content-type": "application/json"},
            content=b"{nope",
        )
        check(op, response, f"{firmware} bad body {op.path}")
        assert response.status_code == 400


def spec_routes() -> set[tuple[str, str]]:
    return {(op.method, op.path) for op in contract.operations() if not (op.fleet_only or op.replay_only)}


def served_routes() -> set[tuple[str, str]]:
    app = create_app(build_gateway(EmulatorOptions(firmware="1.15.0")))
    return {
        (m, r.path.replace(":path}", "}"))
        for r in app.routes
        if isinstance(r, Route)
        for m in (r.methods or set()) - {"HEAD"}
    }


def test_the_emulator_serves_no_path_the_spec_lacks():
    assert served_routes() - spec_routes() == set()


def test_the_spec_lists_no_path_the_emulator_does_not_serve():
    assert spec_routes() - served_routes() == set()


@pytest.mark.parametrize("firmware", sorted(PROFILES))
def test_the_spec_knows_which_firmware_serves_what_and_what_is_open(firmware):
    profile = PROFILES[firmware]
    for op in contract.operations():
        if op.route is None:
            continue
        assert op.serves(firmware) == profile.serves(op.route), op.path
        if op.serves(firmware):
            assert op.needs_login(firmware) == (not profile.is_open(op.route, op.method)), op.path


def test_control_answers_validate():
    client, _ = client_in("1.15.0", "running")
    ops = {(op.method, op.path): op for op in contract.operations() if op.path.startswith("/_emulator/")}
    calls = [
        ("GET", "/_emulator/state", None),
        ("PATCH", "/_emulator/state", {"soe_pct": 50}),
        ("POST", "/_emulator/grid", {"connected": False}),
        ("POST", "/_emulator/clock", {"advance_s": 10}),
        ("POST", "/_emulator/sitemaster", {"running": True}),
        ("POST", "/_emulator/operation", {"mode": "backup"}),
        ("POST", "/_emulator/faults", {"path": "/api/status", "kind": "drop", "count": 1}),
        ("GET", "/_emulator/faults", None),
        ("DELETE", "/_emulator/faults/f1", None),
        ("DELETE", "/_emulator/faults", None),
        ("GET", "/_emulator/requests", None),
        ("DELETE", "/_emulator/requests", None),
        ("POST", "/_emulator/reset", None),
        ("POST", "/_emulator/grid", {"connected": "maybe"}),
    ]
    for method, path, body in calls:
        template = "/_emulator/faults/{rule_id}" if path.startswith("/_emulator/faults/") else path
        check(ops[(method, template)], client.request(method, path, json=body), f"{method} {path}")
