"""The request rate limit (per client, per endpoint, on the simulated clock; off by default) and the
login lockout, through the control API: what a client sees, who is limited, how it ends."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from emulator.contract import facts_for

API_LIMIT = {"code": 429, "error": "Api Limit reached for this endpoint", "message": "API Limit Reached"}


def switch_on(client, **requests) -> dict:
    response = client.put("/_emulator/rate_limits", json={"requests": {"enabled": True, **requests}})
    assert response.status_code == 200, response.text
    return response.json()


def test_off_by_default_so_fast_polling_is_never_limited(make_client):
    client = make_client(firmware="24.4.0")
    limits = client.get("/_emulator/rate_limits").json()
    assert limits["requests"]["enabled"] is False and limits["requests"]["limited"] == []
    assert limits["requests"]["stated"] == {"requests": 60, "window_s": 60.0, "cooldown_s": 600.0, "basis": "assumed"}
    assert all(client.get("/api/status").status_code == 200 for _ in range(200))


@pytest.mark.parametrize("firmware", ["21.44.1", "24.4.0", "25.10.1"])
def test_past_the_limit_a_client_gets_the_firmwares_429_until_the_cool_down_ends(make_client, firmware):
    client = make_client(firmware=firmware)
    assert client.post("/api/login/Basic", json={"password": gateway(client).password}).status_code == 200
    switch_on(client, requests=3, window_s=60, cooldown_s=600)
    read = "/api/meters/aggregates"  # served by all three (a Powerwall 3 has no /api/status)
    assert [client.get(read).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(read)
    words = facts_for(firmware).throttled
    assert words is not None
    assert limited.status_code == 429 == words.status
    assert limited.json() == {"code": 429, "error": words.error, "message": words.message} == API_LIMIT
    shown = client.get("/_emulator/rate_limits").json()["requests"]["limited"]
    assert shown == [{"client": "testclient", "endpoint": read, "for_s": 600.0}]
    client.post("/_emulator/clock", json={"advance_s": 599})
    assert client.get(read).status_code == 429  # a request in the cool-down does not extend it
    client.post("/_emulator/clock", json={"advance_s": 1})
    assert [client.get(read).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_each_endpoint_and_each_client_is_counted_apart(make_client):
    client = make_client(firmware="24.4.0")
    switch_on(client, requests=2, window_s=60)
    token = client.post("/api/login/Basic", json={"username": "customer", "password": gateway(client).password})
    assert token.status_code == 200
    for _ in range(2):
        assert client.get("/api/meters/aggregates").status_code == 200  # the fast path (cached bytes)
    assert client.get("/api/meters/aggregates").status_code == 429
    assert client.get("/api/system_status/soe").status_code == 200  # another endpoint: its own count
    assert client.get("/api/status").status_code == 200

    async def from_another_address() -> int:
        transport = httpx.ASGITransport(client.app, client=("192.168.1.77", 50123))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as other:
            return (await other.get("/api/status")).status_code

    assert asyncio.run(from_another_address()) == 200
    clients = {entry["client"] for entry in client.get("/_emulator/rate_limits").json()["requests"]["limited"]}
    assert clients == {"testclient"}


def test_a_removed_endpoint_retried_trips_the_limit_too(make_client):
    """On 23.44 clients retrying the vitals it removed (404) were rate-limited (Powerwall-Dashboard #434)."""
    client = make_client(firmware="24.4.0")
    switch_on(client, requests=5, window_s=60)
    statuses = [client.get("/api/devices/vitals").status_code for _ in range(6)]
    assert statuses == [404] * 5 + [429]


def test_the_firmwares_stated_limit_is_what_on_applies(make_client):
    client = make_client(firmware="24.4.0", rate_limit="on")
    limits = client.get("/_emulator/rate_limits").json()["requests"]
    assert (limits["enabled"], limits["requests"], limits["window_s"], limits["cooldown_s"]) == (True, 60, 60, 600)
    assert [client.get("/api/status").status_code for _ in range(61)][-2:] == [200, 429]


def test_a_put_starts_afresh_and_a_reset_returns_to_the_start(make_client):
    client = make_client(firmware="24.4.0", rate_limit=(2, 60.0))
    assert [client.get("/api/status").status_code for _ in range(3)] == [200, 200, 429]
    retuned = switch_on(client, requests=10)["requests"]
    assert (retuned["requests"], retuned["window_s"], retuned["limited"]) == (10, 60, [])
    assert client.get("/api/status").status_code == 200  # let in: counting started again
    off = client.put("/_emulator/rate_limits", json={"requests": {"enabled": False}}).json()["requests"]
    assert off["enabled"] is False and "requests" not in off
    client.post("/_emulator/reset")
    back = client.get("/_emulator/rate_limits").json()["requests"]
    assert (back["enabled"], back["requests"]) == (True, 2)


def test_the_control_api_is_never_limited(make_client):
    client = make_client(firmware="24.4.0", rate_limit=(1, 60.0))
    assert all(client.get("/_emulator/state").status_code == 200 for _ in range(20))


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"requests": {"requests": 0}}, "requests/requests"),
        ({"requests": {"window_s": 0}}, "requests/window_s"),
        ({"requests": {"cooldown_s": 86_401}}, "requests/cooldown_s"),
        ({"login": {"threshold": 10**20}}, "login/threshold"),
        ({"requests": {"enabled": True}, "login": {"cooldown_s": -1}}, "login/cooldown_s"),
        ({"requests": {"enabled": "yes"}}, "requests/enabled"),
        ({"limits": {}}, "Additional properties"),
        ({}, "body"),
    ],
)
def test_bad_limits_are_refused_and_change_nothing(make_client, body, problem):
    client = make_client(firmware="24.4.0")
    before = client.get("/_emulator/rate_limits").json()
    refused = client.put("/_emulator/rate_limits", json=body)
    assert refused.status_code == 400 and problem in refused.json()["message"], refused.text
    assert client.get("/_emulator/rate_limits").json() == before


def test_on_a_firmware_stating_no_limit_the_numbers_must_be_given(make_client):
    client = make_client(firmware="1.15.0")
    assert client.get("/_emulator/rate_limits").json()["requests"]["stated"] is None
    refused = client.put("/_emulator/rate_limits", json={"requests": {"enabled": True}})
    assert refused.status_code == 400
    assert refused.json()["message"] == "requests: firmware 1.15.0 states no rate limit, so give requests and window_s"
    limits = switch_on(client, requests=1, window_s=60)["requests"]
    assert limits["cooldown_s"] == 600  # the short end of the reported 10-30 minutes
    assert [client.get("/api/status").status_code for _ in range(2)] == [200, 429]
    assert client.get("/api/status").json() == API_LIMIT  # 1.15.0 states no words of its own: 24.x's


def test_the_login_lockout_can_last_half_an_hour_and_a_put_lifts_it(make_client, fake_time):
    client = make_client(firmware="24.4.0")
    limits = client.put("/_emulator/rate_limits", json={"login": {"threshold": 2, "cooldown_s": 1800}}).json()
    assert limits["login"] == {"enabled": True, "threshold": 2, "window_s": 300, "cooldown_s": 1800, "locked_for_s": 0}
    right = {"username": "customer", "password": gateway(client).password}
    for _ in range(2):
        assert client.post("/api/login/Basic", json={**right, "password": "wrong"}).status_code == 401
    assert client.post("/api/login/Basic", json=right).json() == API_LIMIT
    fake_time.tick(1799)
    assert client.get("/_emulator/rate_limits").json()["login"]["locked_for_s"] == 1
    assert client.post("/api/login/Basic", json=right).status_code == 429
    client.put("/_emulator/rate_limits", json={"login": {}})
    assert client.post("/api/login/Basic", json=right).status_code == 200


def gateway(client):
    return client.app.state.context.gateway
