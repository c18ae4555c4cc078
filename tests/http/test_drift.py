"""The drift fault kind: the JSON an endpoint answers, edited at a pointer; pointers that reach nothing refused."""

from __future__ import annotations

import pytest

from emulator.http.drift import retyped

AGGREGATES = "/api/meters/aggregates"


@pytest.fixture
def gw(make_client):
    return make_client(firmware="24.4.0")


def drift(client, path: str, edit: str, pointer: str, **rule):
    return client.post(
        "/_emulator/faults", json={"path": path, "kind": "drift", "drift": edit, "pointer": pointer, **rule}
    )


def login(client) -> None:
    password = client.get("/_emulator/credentials").json()["password"]
    assert client.post("/api/login/Basic", json={"username": "customer", "password": password}).status_code == 200


@pytest.mark.parametrize(
    ("edit", "pointer", "check", "untouched"),
    [
        ("remove", "/site/instant_power", lambda body: "instant_power" not in body["site"], "load"),
        ("null", "/site/instant_power", lambda body: body["site"]["instant_power"] is None, "load"),
        ("empty", "/site/instant_power", lambda body: body["site"]["instant_power"] == "", "load"),
        ("retype", "/site/instant_power", lambda body: isinstance(body["site"]["instant_power"], str), "load"),
        (
            "null",
            "/*/instant_average_voltage",
            lambda body: all(m["instant_average_voltage"] is None for m in body.values()),
            None,
        ),
        ("remove", "/battery", lambda body: set(body) == {"site", "load", "solar"}, "solar"),
    ],
)
def test_each_edit_changes_only_the_value_at_the_pointer(gw, edit, pointer, check, untouched):
    login(gw)
    clean = gw.get(AGGREGATES).json()  # the clock is paused: the next answer is the same sample
    assert drift(gw, AGGREGATES, edit, pointer).status_code == 201
    response = gw.get(AGGREGATES)
    body = response.json()
    assert response.status_code == 200 and int(response.headers["content-length"]) == len(response.content)
    assert check(body)
    if untouched is not None:
        assert body[untouched] == clean[untouched]


def test_an_empty_grid_status_and_a_type_change_in_a_list(gw):
    login(gw)
    assert drift(gw, "/api/system_status/grid_status", "empty", "/grid_status", count=1).status_code == 201
    assert gw.get("/api/system_status/grid_status").json()["grid_status"] == ""
    assert gw.get("/api/system_status/grid_status").json()["grid_status"] == "SystemGridConnected"  # count spent
    assert drift(gw, "/api/system_status", "retype", "/battery_blocks/0/nominal_energy_remaining").status_code == 201
    blocks = gw.get("/api/system_status").json()["battery_blocks"]
    assert isinstance(blocks[0]["nominal_energy_remaining"], str)
    assert isinstance(blocks[0]["nominal_full_pack_energy"], (int, float))


def test_a_login_answer_can_drift_too_and_the_rule_says_what_it_does(gw):
    added = drift(gw, "/api/login/Basic", "remove", "/token", method="POST").json()
    assert (added["kind"], added["drift"], added["pointer"], added["method"]) == ("drift", "remove", "/token", "POST")
    password = gw.get("/_emulator/credentials").json()["password"]
    answer = gw.post("/api/login/Basic", json={"username": "customer", "password": password})
    assert answer.status_code == 200 and "token" not in answer.json() and answer.json()["email"] is not None


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (
            {"path": AGGREGATES, "drift": "null", "pointer": "/site/instant_pwr"},
            "/site/instant_pwr matches nothing in responses/meters.aggregates.json; known at /site: ",
        ),
        (
            {"path": AGGREGATES, "drift": "null", "pointer": "/nowhere/*"},
            "known at /: battery, busway, frequency, generator, load, site, solar",
        ),
        (
            {"path": "/api/system_status/soe", "drift": "null", "pointer": "/percentage/x"},
            "nothing is below /percentage",
        ),
        ({"path": "/api/logout", "drift": "null", "pointer": "/x"}, "matches no endpoint that answers JSON"),
        ({"path": AGGREGATES, "drift": "null", "pointer": "/site/instant_power", "method": "POST"}, "answers JSON"),
        ({"path": AGGREGATES, "drift": "null", "pointer": "site"}, "pointer"),
        ({"path": AGGREGATES, "drift": "null", "pointer": "/site/a~2b"}, "~0"),
        ({"path": AGGREGATES, "drift": "blank", "pointer": "/site"}, "drift"),
        ({"path": AGGREGATES, "pointer": "/site"}, "drift"),
        ({"path": AGGREGATES, "drift": "null"}, "pointer"),
        ({"path": "/api/nothing/here", "drift": "null", "pointer": "/site"}, "matches no path"),
    ],
)
def test_a_pointer_that_reaches_nothing_is_refused_and_no_rule_is_added(gw, rule, says):
    answer = gw.post("/_emulator/faults", json={"kind": "drift", **rule})
    assert answer.status_code == 400 and says in answer.json()["message"], answer.text
    assert gw.get("/_emulator/faults").json() == {"faults": []}


def test_drift_fields_belong_to_drift_only(gw):
    answer = gw.post("/_emulator/faults", json={"path": AGGREGATES, "kind": "truncate", "pointer": "/site"})
    assert answer.status_code == 400


def test_a_wildcard_over_a_glob_of_paths_is_checked_against_each_endpoint(gw):
    assert drift(gw, "/api/meters/*", "null", "/site/instant_power").status_code == 201  # aggregates has it
    login(gw)
    assert gw.get(AGGREGATES).json()["site"]["instant_power"] is None
    assert gw.get("/api/meters/site").status_code == 200  # a body without that value goes out unchanged


@pytest.mark.parametrize(
    ("value", "becomes"),
    [
        (60.0, "60.0"),
        (3, "3"),
        (True, "true"),
        ("12", 12),
        ("12.5", 12.5),
        ("1e3", 1000.0),
        ("nan", ["nan"]),
        ("Grid", ["Grid"]),
        ([1, 2], {"0": 1, "1": 2}),
        ({"a": 1}, [1]),
        (None, ""),
    ],
)
def test_retype_gives_each_value_another_json_type(value, becomes):
    assert retyped(value) == becomes and type(retyped(value)) is type(becomes)
