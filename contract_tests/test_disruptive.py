"""Stopping sitemaster and islanding the site (``--allow-disruptive``): always put back."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

REPORT_AREA = "sitemaster and islanding"

pytestmark = pytest.mark.disruptive


def _run_sitemaster(target: Target) -> None:
    method, path = target.facts.sitemaster_run.method, target.facts.sitemaster_run.path
    response = target.request(method, path)
    assert response.status_code in (200, 202), f"{method} {path} answered {response.status_code}"


@pytest.mark.serves("GET /api/sitemaster")
def test_stopped_sitemaster_answers_502_until_run(target: Target) -> None:
    target.remember("sitemaster running", lambda: _run_sitemaster(target))
    stop = target.facts.sitemaster_stop
    method, path = stop.method, stop.path
    response = target.request(method, path, json=stop.body)
    assert response.status_code == 202, f"{method} {path} answered {response.status_code}"
    sitemaster = target.get("/api/sitemaster").json()
    assert sitemaster["running"] is False, f"GET /api/sitemaster running {sitemaster['running']!r} after stop"
    stopped = target.get("/api/meters/aggregates")
    assert stopped.status_code == 502 and not stopped.content, (
        f"GET /api/meters/aggregates while stopped: {stopped.status_code} {stopped.text[:80]!r}, expected 502 with no body"
    )
    _run_sitemaster(target)
    assert target.get("/api/meters/aggregates").status_code == 200


@pytest.mark.serves("GET /api/sitemaster")
def test_a_login_does_to_sitemaster_what_the_firmware_facts_say(target: Target) -> None:
    """1.x: each login stops sitemaster (live reads answer the stopped error until it runs again); later
    firmware: a login changes nothing. Both from the contract's facts, never from the gateway under test."""
    facts = target.facts
    target.remember("sitemaster running", lambda: _run_sitemaster(target))
    body = {"username": facts.username, "password": target.password, "email": target.email, "force_sm_off": False}
    response = target.client.request("POST", "/api/login/Basic", json=body)
    assert response.status_code == 200, f"POST /api/login/Basic answered {response.status_code}"
    running = target.read("/api/sitemaster").json()["running"]
    live = target.read("/api/meters/aggregates")
    if facts.login_stops_sitemaster:
        stopped = facts.sitemaster_stopped
        assert running is False, (
            f"firmware {facts.version}: a login must stop sitemaster; /api/sitemaster running {running!r}"
        )
        assert live.status_code == stopped.status, (
            f"GET /api/meters/aggregates after a login: {live.status_code}, expected {stopped.status} (sitemaster stopped)"
        )
        _run_sitemaster(target)
        assert target.read("/api/meters/aggregates").status_code == 200
    else:
        assert running is True and live.status_code == 200, (
            f"firmware {facts.version}: a login must leave sitemaster running; running {running!r}, "
            f"GET /api/meters/aggregates {live.status_code}"
        )


@pytest.mark.firmware("21.44.1", "24.4.0")
def test_islanding_goes_off_grid_and_back(target: Target) -> None:
    def reconnect() -> None:
        target.request("POST", "/api/v2/islanding/mode", json={"island_mode": "backup"})

    target.remember("grid connection", reconnect)

    def grid_status() -> str:
        return str(target.get("/api/system_status/grid_status").json()["grid_status"])

    assert grid_status() == "SystemGridConnected", "islanding test needs a grid-connected site to start from"
    response = target.request("POST", "/api/v2/islanding/mode", json={"island_mode": "intentional_reconnect_failsafe"})
    assert response.status_code == 200 and response.json() == {"island_mode": "intentional_reconnect_failsafe"}
    seen = [grid_status()]

    def islanded() -> bool:
        seen.append(grid_status())
        return seen[-1] == "SystemIslandedActive"

    target.until("islanding", islanded)
    assert seen[0] in ("SystemTransitionToIsland", "SystemIslandedActive"), f"first status after the request: {seen[0]}"
    assert abs(target.get("/api/meters/aggregates").json()["site"]["instant_power"]) <= 50
    reconnect()
    target.until("reconnection", lambda: grid_status() == "SystemGridConnected")
