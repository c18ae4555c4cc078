"""A firmware update changes the contract, as on a real site: states, reboot, the new version's paths, auth,
transport and password; sessions end; the site carries over. Driven through the control API of a live
emulator (the handle of ``emulator.running``), with a paused clock moved by hand."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

import emulator
from emulator.contract import facts_for
from emulator.testing import Emulator

QUICK = {"check_s": 10, "download_s": 20, "install_s": 30}  # reboot at +65 s (5 s "downloaded")
REBOOT_AT_S = 10 + 20 + 5 + 30
CUT = (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError, httpx.WriteError)


@pytest.fixture
def gw(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    with emulator.running(firmware=getattr(request, "param", "21.44.1"), paused=True) as handle:
        yield handle


def client(gw: Emulator) -> httpx.Client:
    return httpx.Client(base_url=gw.url, verify=gw.ssl_context or False, timeout=10)


def login(http: httpx.Client, gw: Emulator) -> str:
    username = facts_for(gw.firmware).username
    response = http.post("/api/login/Basic", json={"username": username, "password": gw.password, "email": "a@b.c"})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def update_status(gw: Emulator) -> str:
    with client(gw) as http:
        token = login(http, gw)
        return str(http.get("/api/system/update/status", headers={"authorization": f"Bearer {token}"}).json()["state"])


def start(gw: Emulator, version: str, **body: object) -> dict:
    return gw.control("POST", "firmware", {"version": version, "reboot_s": 60, **QUICK, **body})


def test_an_update_walks_the_states_reboots_and_comes_back_as_the_new_firmware(gw: Emulator):
    answer = start(gw, "24.4.0")
    assert answer["version"] == "21.44.1" and answer["update"]["phase"] == "checking"
    assert update_status(gw) == "/clear_update_status"
    gw.advance(10)
    assert update_status(gw) == "/download" and gw.state()["update"]["firmware"]["phase"] == "downloading"
    gw.advance(25)
    assert update_status(gw) == "/update_staged" and gw.state()["update"]["firmware"]["phase"] == "installing"
    with client(gw) as http:
        token = login(http, gw)
        vitals = http.get("/api/devices/vitals", headers={"authorization": f"Bearer {token}"})
        assert vitals.status_code == 200  # still 21.44.1 until the reboot

    gw.advance(30)
    state = gw.state()
    assert state["firmware"] == "24.4.0" and state["update"]["firmware"]["phase"] == "rebooting"
    with client(gw) as http, pytest.raises(CUT):
        http.get("/api/status")  # nobody answers while it reboots (but the control API does)

    gw.advance(60)
    firmware = gw.control("GET", "firmware")
    assert firmware["version"] == "24.4.0" and firmware["update"]["phase"] == "done"
    with client(gw) as http:
        assert http.get("/api/status").json()["version"] == facts_for("24.4.0").reported_version
        token = login(http, gw)
        assert http.get("/api/devices/vitals", headers={"authorization": f"Bearer {token}"}).status_code == 404
        din = http.get("/tedapi/din", auth=("Tesla_Energy_Device", gw.gw_password))
        assert din.status_code == 200 and din.text == gw.gateway.identity.din  # the TEDAPI appeared
    assert update_status(gw) == "/update_succeeded"

    journal = gw.requests(path="/api/status")
    assert [(e["status"], e["firmware"], e["update_phase"]) for e in journal] == [
        (0, "24.4.0", "rebooting"),
        (200, "24.4.0", None),
    ]


def test_every_session_ends_and_the_site_carries_over(gw: Emulator):
    with client(gw) as http:
        token = login(http, gw)
    gw.set_operation("backup", 42.0)
    gw.verified_key()  # a TEDAPI v1r key in the authorized-client table
    keys = gw.authorized_clients()
    gw.control("POST", "firmware", {"version": "24.4.0", "reboot_s": 60, **QUICK})
    gw.advance(REBOOT_AT_S)
    before = gw.state()
    gw.advance(60)
    after = gw.state()
    with client(gw) as http:  # a new connection: the old ones did not outlive the reboot
        stale = http.get("/api/system_status/soe", headers={"authorization": f"Bearer {token}"})
        assert stale.status_code == 401 and stale.json()["error"] == "Token Expired"
        assert after["sessions"] == 0
        fresh = login(http, gw)  # the password rule is the same on both: the same password logs in
        soe = http.get("/api/system_status/soe", headers={"authorization": f"Bearer {fresh}"}).json()["percentage"]
    assert after["soe_pct"] == before["soe_pct"] == pytest.approx(soe)  # the battery rests while it reboots
    for counter, value in before["energy_wh"].items():
        assert after["energy_wh"][counter] >= value
    assert after["operation"] == before["operation"] and after["operation"]["mode"] == "backup"
    assert after["powerwalls"] == before["powerwalls"]
    assert gw.authorized_clients() == keys and keys[0]["state"] == "verified"


@pytest.mark.parametrize("gw", ["1.15.0"], indirect=True)
def test_the_same_port_turns_from_http_to_https_and_wants_a_login(gw: Emulator):
    port, serial = gw.port, gw.gateway.identity.gateway_serial
    plain = httpx.Client(base_url=gw.url, timeout=10)  # kept alive across the update, as a poller's pool is
    try:
        assert plain.get("/api/meters/aggregates").status_code == 200  # open on 1.15.0
        assert gw.password == "S" + serial
        gw.update_firmware("21.44.1", reboot_s=60, check_s=10, download_s=20, install_s=30)
        assert gw.scheme == "https" and gw.port == port and gw.url.startswith("https://")
        with pytest.raises(CUT):
            plain.get("/api/meters/aggregates")  # its connection did not outlive the reboot
        with pytest.raises(CUT):
            plain.get("/api/meters/aggregates")  # and the port no longer speaks plain HTTP
    finally:
        plain.close()
    assert gw.password == serial[-5:]  # the customer password of 20.49+, never changed by the owner
    with client(gw) as http:
        assert http.get("/api/meters/aggregates").status_code == 403  # a login is necessary now
        old = http.post("/api/login/Basic", json={"username": "", "password": "S" + serial})
        assert old.status_code == 401
        login(http, gw)  # its AuthCookie and UserRecord go into the client's jar
        assert http.get("/api/meters/aggregates").status_code == 200


@pytest.mark.parametrize(
    ("source", "target"),
    [("1.15.0", "21.44.1"), ("1.15.0", "24.4.0"), ("21.44.1", "24.4.0"), ("24.4.0", "1.15.0")],
)
def test_every_pair_of_powerwall_2_profiles(source: str, target: str):
    with emulator.running(firmware=source, paused=True) as gw:
        gw.update_firmware(target, reboot_s=0, allow_downgrade=True, check_s=10, download_s=20, install_s=30)
        facts = facts_for(target)
        assert gw.firmware == target and gw.scheme == facts.scheme
        with client(gw) as http:
            assert http.get("/api/status").json()["version"] == facts.reported_version
            login(http, gw)
        gw.reset()  # the gateway starts over on its first firmware, and its port on that firmware's transport
        assert gw.firmware == source and gw.scheme == facts_for(source).scheme
        with client(gw) as http:
            assert http.get("/api/status").json()["version"] == facts_for(source).reported_version


@pytest.mark.parametrize(
    ("firmware", "body", "status", "says"),
    [
        ("24.4.0", {"version": "9.9.9"}, 400, "unknown firmware '9.9.9'"),
        ("24.4.0", {"version": "25.10.1"}, 400, "Powerwall 3 hardware"),
        ("25.10.1", {"version": "24.4.0", "allow_downgrade": True}, 400, "Powerwall 2 hardware"),
        ("24.4.0", {"version": "21.44.1"}, 400, '"allow_downgrade": true'),
        ("24.4.0", {"version": "24.4.0"}, 409, "already runs firmware 24.4.0"),
        ("21.44.1", {"version": "24.4.0", "reboot_s": -1}, 400, "reboot_s"),
        ("21.44.1", {"version": "24.4.0", "reboot_s": 86_401}, 400, "reboot_s"),
        ("21.44.1", {"version": "24.4.0", "install_s": "600"}, 400, "install_s"),
        ("21.44.1", {"version": "24.4.0", "surprise": 1}, 400, "surprise"),
        ("21.44.1", {}, 400, "version"),
    ],
)
def test_an_update_the_site_cannot_take_is_refused_and_nothing_changes(firmware, body, status, says):
    with emulator.running(firmware=firmware, paused=True) as gw:
        before = gw.control("GET", "firmware")
        with httpx.Client(verify=gw.ssl_context or False) as http:
            response = http.post(gw.url + "/_emulator/firmware", json=body)
        assert response.status_code == status
        assert says in response.json()["message"]
        assert gw.control("GET", "firmware") == before
        assert gw.state()["update"] == {"state": "/update_failed", "status": "nonactionable", "firmware": None}


def test_an_update_while_one_is_under_way_is_refused(gw: Emulator):
    start(gw, "24.4.0")
    gw.advance(REBOOT_AT_S + 30)  # rebooting
    before = gw.control("GET", "firmware")
    with pytest.raises(AssertionError, match="409.*under way"):
        start(gw, "24.4.0")
    assert gw.control("GET", "firmware") == before
    gw.advance(30)
    with pytest.raises(AssertionError, match="409.*already runs"):  # back: a new update may start, not this one
        start(gw, "24.4.0")


def test_the_firmware_listing_names_the_versions_an_update_may_go_to():
    with emulator.running(firmware="1.15.0", paused=True) as gw:
        assert gw.control("GET", "firmware") == {
            "version": "1.15.0",
            "hardware": "powerwall2",
            "scheme": "http",
            "update": None,
            "updates_to": ["21.44.1", "24.4.0"],
            "versions": ["1.15.0", "21.44.1", "24.4.0", "25.10.1"],
        }
    with emulator.running(firmware="25.10.1", paused=True) as gw:
        assert gw.control("GET", "firmware")["updates_to"] == []


def test_idle_connections_close_when_the_reboot_begins_and_new_ones_made_during_it_do_not_outlive_it():
    with emulator.running(firmware="1.15.0", speed=50) as gw:
        idle = socket.create_connection(("127.0.0.1", gw.port))  # connected, never asks: a poller's pooled socket
        try:
            idle.settimeout(20)
            gw.control("POST", "firmware", {"version": "21.44.1", "reboot_s": 86_400, **QUICK})
            assert idle.recv(1) == b""  # closed by the gateway as it went down (65 sim s later, nobody asking)
        finally:
            idle.close()
        assert gw.state()["update"]["firmware"]["phase"] == "rebooting"
        with client(gw) as cut:
            with pytest.raises(CUT):
                cut.get("/api/status")  # cut: it reboots
        with client(gw) as during:
            assert during.get("/_emulator/state").status_code == 200  # the control API answers throughout
            gw.control("POST", "clock", {"advance_s": 86_400})
            with pytest.raises(CUT):
                during.get("/api/status")  # a connection made while it rebooted did not outlive the reboot
        with client(gw) as after:
            assert after.get("/api/status").json()["version"] == facts_for("21.44.1").reported_version


def test_a_fleet_member_cannot_switch_its_port_between_http_and_https_but_may_update_within_one():
    from starlette.testclient import TestClient

    from emulator.serving.fleet import build_fleet
    from emulator.serving.options import RunOptions

    members = build_fleet(RunOptions(firmware="1.15.0", paused=True), 2)
    with TestClient(members[0].app) as member:
        refused = member.post("/_emulator/firmware", json={"version": "21.44.1"})
        assert refused.status_code == 409 and "cannot switch between HTTP and HTTPS" in refused.json()["message"]
        assert member.get("/_emulator/firmware").json()["update"] is None
    modern = build_fleet(RunOptions(firmware="21.44.1", paused=True), 2)
    with TestClient(modern[1].app) as member:
        assert member.post("/_emulator/firmware", json={"version": "24.4.0"}).status_code == 202


@pytest.mark.parametrize("gw", ["1.15.0"], indirect=True)
def test_a_tls_stall_holds_the_handshakes_of_a_port_an_update_turned_to_https(gw: Emulator):
    refused = httpx.post(gw.url + "/_emulator/faults", json={"path": "*", "kind": "tls_stall", "stall_s": 1})
    assert refused.status_code == 400 and "HTTPS" in refused.json()["message"]  # plain HTTP: no handshake
    gw.update_firmware("21.44.1", reboot_s=0, check_s=10, download_s=20, install_s=30)
    assert gw.scheme == "https"
    gw.fault("*", "tls_stall", stall_s=1.0, count=1)
    with httpx.Client(base_url=gw.url, verify=False) as http:
        with pytest.raises(httpx.ConnectTimeout):  # TCP connects; the handshake is held
            http.get("/api/status", timeout=httpx.Timeout(5, connect=0.3))
        assert http.get("/api/status", timeout=5).status_code == 200  # count=1: the next one is served
    assert [rule["hits"] for rule in gw.control("GET", "faults")["faults"]] == [1]


def test_the_login_lockout_set_through_the_control_api_outlives_an_update(gw: Emulator):
    """The lockout is the operator's setting, not the firmware's: 24.4.0's stated one (5 in 300 s, 30 s) does not
    replace it; the reboot only starts the count of wrong passwords again."""
    set_to = {"enabled": True, "threshold": 2, "window_s": 300, "cooldown_s": 1800}
    assert gw.control("PUT", "rate_limits", {"login": set_to})["login"] == {**set_to, "locked_for_s": 0}
    with client(gw) as http:
        assert http.post("/api/login/Basic", json={"username": "customer", "password": "wrong"}).status_code == 401
    gw.update_firmware("24.4.0", reboot_s=0, check_s=10, download_s=20, install_s=30)
    assert gw.control("GET", "rate_limits")["login"] == {**set_to, "locked_for_s": 0}
    wrong = {"username": "customer", "password": "wrong", "email": "a@b.c"}
    with client(gw) as http:
        assert [http.post("/api/login/Basic", json=wrong).status_code for _ in range(2)] == [401, 401]
        right = http.post("/api/login/Basic", json={**wrong, "password": gw.password})
        assert right.status_code == 429  # locked after the operator's 2, not the firmware's 5
    assert gw.control("GET", "rate_limits")["login"]["locked_for_s"] > 60  # the operator's 30 minutes, not 30 s
