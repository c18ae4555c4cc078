"""Sessions expire on the simulated clock, each firmware answering an expired one in its own words (its facts)."""

from __future__ import annotations

import pytest

from emulator.contract import facts_for
from emulator.device.factory import build_gateway
from emulator.serving.options import RunOptions

# a protected read per firmware (1.15.0 serves most reads without a login)
PROTECTED = {"1.15.0": "/api/config", "21.44.1": "/api/system_status/soe", "24.4.0": "/api/system_status/soe"}
PROTECTED["25.10.1"] = "/api/system_status/soe"


def login(client, firmware: str) -> str:
    gateway = client.app.state.context.gateway
    username = facts_for(firmware).username
    response = client.post("/api/login/Basic", json={"username": username, "password": gateway.password})
    assert response.status_code == 200, response.text
    client.post("/_emulator/sitemaster", json={"running": True})  # a 1.15.0 login stops it
    return response.json()["token"]


@pytest.mark.parametrize("firmware", sorted(PROTECTED))
def test_a_session_ends_at_its_lifetime_with_the_firmwares_expired_token_answer(make_client, firmware):
    client = make_client(firmware=firmware)
    bearer = {"Authorization": "Bearer " + login(client, firmware)}
    lifetime = facts_for(firmware).session_lifetime_s
    assert lifetime == 86_400 and client.get("/_emulator/state").json()["session_lifetime_s"] == lifetime
    client.post("/_emulator/clock", json={"advance_s": lifetime - 1})
    assert client.get(PROTECTED[firmware], headers=bearer).status_code == 200
    client.post("/_emulator/clock", json={"advance_s": 1})
    expired = client.get(PROTECTED[firmware], headers=bearer)
    words = facts_for(firmware).invalid_credentials
    assert expired.status_code == words.status == 401
    assert expired.json() == {"code": 401, "error": words.error, "message": words.message}
    assert client.get("/_emulator/state").json()["sessions"] == 0  # forgotten, not kept and refused
    again = {"Authorization": "Bearer " + login(client, firmware)}
    assert client.get(PROTECTED[firmware], headers=again).status_code == 200


def test_on_24_4_an_expired_cookie_is_token_expired_as_real_gateways_answer(make_client):
    client = make_client(firmware="24.4.0")
    login(client, "24.4.0")  # the client keeps the AuthCookie the login set
    assert client.get("/api/meters/aggregates").status_code == 200
    client.post("/_emulator/clock", json={"advance_s": 86_400})
    expired = client.get("/api/meters/aggregates")
    assert expired.status_code == 401
    assert expired.json() == {"code": 401, "error": "Token Expired", "message": "Invalid token, please log in again"}


def test_at_3600x_a_day_of_sessions_passes_in_24_real_seconds(make_client, fake_time):
    client = make_client(firmware="24.4.0", paused=False, speed=3600)
    bearer = {"Authorization": "Bearer " + login(client, "24.4.0")}
    fake_time.tick(23.9)
    assert client.get("/api/system_status/soe", headers=bearer).status_code == 200
    fake_time.tick(0.2)
    assert client.get("/api/system_status/soe", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    ("lifetime", "alive_after_s", "gone_after_s"),
    [("90m", 5_399, 5_400), (7200, 7_199, 7_200), ("never", 2 * 86_400, None)],
)
def test_the_session_lifetime_option(make_client, lifetime, alive_after_s, gone_after_s):
    gateway = build_gateway(RunOptions(firmware="24.4.0", session_lifetime=lifetime).gateway_options())
    assert gateway.logins.lifetime_s == (gone_after_s or float("inf"))
    client = make_client(firmware="24.4.0", session_lifetime_s=gateway.logins.lifetime_s)
    bearer = {"Authorization": "Bearer " + login(client, "24.4.0")}
    client.post("/_emulator/clock", json={"advance_s": alive_after_s})
    assert client.get("/api/system_status/soe", headers=bearer).status_code == 200
    if gone_after_s is None:
        assert client.get("/_emulator/state").json()["session_lifetime_s"] is None
        return
    client.post("/_emulator/clock", json={"advance_s": gone_after_s - alive_after_s})
    assert client.get("/api/system_status/soe", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0s", "must be from 1s to 365d"),
        ("400d", "must be from 1s to 365d"),
        ("soon", "is not a duration"),
        (-5, "is not a duration"),
        (True, "is not a duration"),
    ],
)
def test_a_lifetime_that_is_not_one_is_refused(value, problem):
    with pytest.raises(ValueError, match=problem):
        RunOptions(firmware="24.4.0", session_lifetime=value).gateway_options()
