"""The recording file: what a broken one says, the bundled example, and how it is made."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from emulator import contract
from emulator.cli import main
from emulator.replay import bundled_recording, create_replay_app, load_recording
from emulator.replay.example import make
from emulator.replay.redact import Redactor

HEADER = {
    "format": "teg-recording", "version": 1, "firmware": "24.4.0 0fe780c9", "profile": "24.4.0",
    "recorded_at": "2026-07-01T20:00:00+00:00", "interval_s": 5, "endpoints": ["/api/status"],
    "gateway": {"din": None}, "redacted": False, "tls": True,
}  # fmt: skip


PW3 = "1707000-11-J--TG1361399789A"


def response(t: float, **fields: object) -> dict:
    return {
        "t": t,
        "method": "GET",
        "path": "/api/status",
        "status": 200,
        "content_type": "application/json",
        "body": {},
        **fields,
    }


def _binary(**fields: object) -> dict:
    """A recorded TEDAPI answer: a protobuf body as base64."""
    line = {**response(0, path="/tedapi/v1", method="POST", content_type="application/octet-stream")}
    del line["body"]
    return {**line, "request": "system info", "body_base64": "CgA=", **fields}


def lines(*values: object) -> str:
    return "".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in values)


BROKEN = {
    "empty": ("", 1, "the file is empty"),
    "header only": (lines(HEADER), None, "holds no responses"),
    "bad JSON": (lines(HEADER, response(0), '{"t": 1, "method": "GET",'), 3, "not a JSON line"),
    "NaN": (lines(HEADER, '{"t": NaN}'), 2, "NaN is not JSON"),
    "schema": (
        lines(HEADER, response(0, status=700)),
        2,
        "bad response: status: 700 is greater than the maximum of 599",
    ),
    "unknown field": (lines(HEADER, response(0, colour="red")), 2, "'colour' was unexpected"),
    "body and text": (lines(HEADER, response(0, text="")), 2, "a response has one of body, body_base64 and text"),
    "base64 and text": (
        lines(HEADER, _binary(text="")),
        2,
        "a response has one of body, body_base64 and text",
    ),
    "base64 not padded": (lines(HEADER, _binary(body_base64="abc")), 2, "body_base64 is not base64"),
    "base64 alphabet": (lines(HEADER, _binary(body_base64="a*b=")), 2, "body_base64: 'a*b=' does not match"),
    "other tedapi path": (lines(HEADER, _binary(path="/tedapi/v2")), 2, "path: a path is a gateway API path"),
    "unknown request kind": (lines(HEADER, _binary(request="query")), 2, "request: 'query' does not match"),
    "request of a GET": (
        lines(HEADER, response(0, request="system info")),
        2,
        "'/api/status' does not match '^/tedapi/'",
    ),
    "device query without its device": (
        lines(HEADER, _binary(request="query PW3Query")),
        2,
        "'device' is a required property",
    ),
    "device not a DIN": (
        lines(HEADER, _binary(request="query ComponentsQuery", device="TG1/../x")),
        2,
        "device: 'TG1/../x' does not match",
    ),
    "device without request": (
        lines(HEADER, {k: v for k, v in _binary(device=PW3).items() if k != "request"}),
        2,
        "'request' is a dependency of 'device'",
    ),
    "device path of another device": (
        lines(HEADER, _binary(path=f"/tedapi/device/{PW3}/v1", request="query PW3Query", device=PW3 + "B")),
        2,
        f"device {PW3}B is not the one its path /tedapi/device/{PW3}/v1 asks ({PW3})",
    ),
    "v1r answer naming no request": (
        lines(HEADER, {k: v for k, v in _binary(path="/tedapi/v1r").items() if k != "request"}),
        2,
        "'request' is a required property",
    ),
    "v1r answer that is no RoutableMessage": (
        lines(HEADER, _binary(path="/tedapi/v1r", body_base64="//8=")),
        2,
        "a /tedapi/v1r answer is a RoutableMessage in body_base64; this one does not parse",
    ),
    "v1r answer with neither envelope nor fault": (
        lines(HEADER, _binary(path="/tedapi/v1r")),
        2,
        "a /tedapi/v1r answer carries an envelope (field 10) or a message fault; this one has neither",
    ),
    "no body": (lines(HEADER, {k: v for k, v in response(0).items() if k != "body"}), 2, "a response needs its body"),
    "time order": (
        lines(HEADER, response(0), response(2.5), response(1.0)),
        4,
        "t 1 is earlier than the line before (2.5)",
    ),
    "no header": (lines(response(0)), 1, "bad header"),
    "future version": (lines({**HEADER, "version": 2}, response(0)), 1, "bad header: version: 1 was expected"),
    "unknown firmware": (lines({**HEADER, "profile": "25.1.0"}, response(0)), 1, "profile: '25.1.0' is not one of"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_recording_is_one_line_naming_file_and_line_exit_2_and_nothing_served(
    name, tmp_path, capsys, monkeypatch
):
    content, line, needle = BROKEN[name]
    path = tmp_path / "broken.jsonl"
    path.write_text(content, "utf-8")
    monkeypatch.setattr("emulator.cli.listen.run", lambda *a, **k: pytest.fail("a broken recording was served"))
    assert main(["serve", "--replay", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    where = f"{path}:{line}: " if line else f"{path}: "
    assert err.count("\n") == 1 and err.startswith(f"teg-emulator: error: {where}"), err
    assert needle in err and "Traceback" not in err


def test_unreadable_and_non_utf8_files_are_named_too(tmp_path, capsys):
    assert main(["serve", "--replay", str(tmp_path / "missing.jsonl")]) == 2
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(lines(HEADER).encode() + b"\xff\xfe\n")
    assert main(["serve", "--replay", str(binary)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "missing.jsonl: cannot read it: No such file or directory" in err[0]
    assert f"{binary}:2: not UTF-8 text" in err[1]


def test_loop_without_replay_and_replay_with_a_fleet_are_refused(capsys):
    assert main(["serve", "--loop"]) == 2
    assert main(["serve", "--replay", str(bundled_recording()), "--gateways", "3"]) == 2
    err = capsys.readouterr().err
    assert "--loop needs --replay" in err and "cannot be combined with --gateways" in err


def test_blank_lines_are_ignored_and_line_numbers_still_count_them(tmp_path):
    path = tmp_path / "spaced.jsonl"
    path.write_text(lines(HEADER, "", response(0), "   ", response(1)), "utf-8")
    assert [r.t for r in load_recording(path).responses] == [0, 1]
    path.write_text(lines(HEADER, "", response(3), response(1)), "utf-8")
    with pytest.raises(ValueError, match=r"spaced.jsonl:4: t 1 is earlier"):
        load_recording(path)


def test_the_bundled_recording_is_small_valid_and_holds_an_outage():
    path = bundled_recording()
    assert path.stat().st_size < 300_000
    values = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert not list(contract.validator("recording.json").iter_errors(values))
    recording = load_recording(path)
    assert recording.header.profile == "24.4.0" and recording.header.tls and not recording.header.redacted
    statuses = [r.body["grid_status"] for r in recording.responses if r.path == "/api/system_status/grid_status"]
    changes = [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]]
    assert changes == ["SystemGridConnected", "SystemIslandedActive", "SystemGridConnected"]


def test_the_example_regenerates_from_the_emulator(tmp_path, capsys):
    out = tmp_path / "example.jsonl"
    # the grid goes down after the first poll and comes back after the sixth: two polls hold both states, which
    # even a busy machine fits in 1.2 s (the cut follows the recorder's polls, not the clock)
    assert make(out, real_s=1.2, interval_s=0.1, outage=(0.1, 0.5)) == 0
    recording = load_recording(out)
    statuses = {r.body["grid_status"] for r in recording.responses if r.path == "/api/system_status/grid_status"}
    assert statuses >= {"SystemGridConnected", "SystemIslandedActive"}
    assert recording.header.firmware == "24.4.0 0fe780c9"


def test_redaction_follows_a_serial_into_other_strings_and_keys():
    redactor = Redactor()
    body = {
        "din": "1232100-00-E--TG1234567890",
        "message": "gateway TG1234567890 ok",
        "TEPOD--TG1234567890": {"token": "abcdefgh"},
    }
    redactor.learn(body)
    assert redactor.apply(body) == {
        "din": "1232100-00-E--GW0001",
        "message": "gateway GW0001 ok",
        "TEPOD--GW0001": {"token": "REDACTED"},
    }
    assert redactor.apply({"again": "TG1234567890"}) == {"again": "GW0001"}  # stable across bodies
    assert redactor.text("short 12") == "short 12"


def test_the_file_schema_takes_a_header_then_responses():
    whole = contract.validator("recording.json")
    empty_502 = {**response(0, status=502, content_type=None), "text": ""}
    del empty_502["body"]
    assert not list(whole.iter_errors([HEADER, response(0), empty_502]))
    assert not list(whole.iter_errors([HEADER]))
    assert list(whole.iter_errors([response(0)]))  # the first line must be a header
    assert list(whole.iter_errors([HEADER, HEADER]))  # and only the first


def test_a_hand_written_recording_replays_encoded_paths_and_bodies_that_are_not_json(tmp_path):
    path = tmp_path / "hand.jsonl"
    header = {**HEADER, "firmware": "1.15.0", "profile": "1.15.0", "tls": False}
    brand = {**response(0, body={"brand": "SolarEdge"}), "path": "/api/solars/brands/SolarEdge%20Technologies"}
    stopped = {**response(1, status=502, content_type=None), "path": "/api/meters/aggregates", "text": ""}
    del stopped["body"]
    plain = {**response(2, content_type="text/plain"), "text": "hello"}
    del plain["body"]
    path.write_text(lines(header, brand, stopped, plain), "utf-8")
    client = TestClient(create_replay_app(load_recording(path), password="pw-1", paused=True))
    client.post("/_emulator/replay", json={"position_s": 5})
    token = client.post("/api/login/Basic", json={"username": "", "password": "pw-1"}).json()["token"]
    answer = client.get("/api/solars/brands/SolarEdge%20Technologies", headers={"Authorization": f"Bearer {token}"})
    assert answer.json() == {"brand": "SolarEdge"}
    empty = client.get("/api/meters/aggregates")  # open on 1.15.0
    assert (empty.status_code, empty.content, empty.headers.get("content-type")) == (502, b"", None)
    text = client.get("/api/status")
    assert (text.text, text.headers["content-type"]) == ("hello", "text/plain; charset=utf-8")
