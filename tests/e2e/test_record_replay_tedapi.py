"""Record the TEDAPI (a Powerwall 3 on 25.10.1, a Powerwall 2 on 24.4.0) and serve it back behind HTTP Basic."""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from emulator.cli import main
from emulator.replay import Recording, create_replay_app, load_recording
from emulator.replay.tedapi import CONFIG, Read, device_requests, firmware_version, requests
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from tests.clients.test_pypowerwall_tedapi import Client
from tests.e2e.test_record_replay import FAST, live_emulator, login, replay_client

GW = "QRSTICKERP"
WRONG = "NOTHEPASSW"


def basic(password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"Tesla_Energy_Device:{password}".encode()).decode()}


def record(firmware: str, out: Path, *extra: str) -> tuple[int, str]:
    """Record a live emulator given only the gateway password; returns (exit code, the live customer password)."""
    with live_emulator(firmware, gw_password=GW) as live:
        code = main(["record", "--gateway-url", live.server.url, "--out", str(out), *FAST, *extra])
        return code, live.gateway.password


def posted(recording: Recording, key: str, device: str | None = None) -> bytes:
    body = next(r.binary for r in recording.responses if r.request == key and r.device == device)
    assert body is not None
    return body


@pytest.mark.parametrize("firmware", ["25.10.1", "24.4.0"])
def test_tedapi_answers_are_recorded_as_base64_and_replayed_behind_the_gateway_password(firmware, tmp_path):
    out = tmp_path / "rec.jsonl"
    pw3 = firmware == "25.10.1"  # its customer password is the sticker's last five: the recorder derives it
    extra = ["--gw-password", GW] + ([] if pw3 else ["--password", "pw-24"])
    with live_emulator(firmware, gw_password=GW, **({} if pw3 else {"password": "pw-24"})) as live:
        assert main(["record", "--gateway-url", live.server.url, "--out", str(out), *FAST, *extra]) == 0
        customer = live.gateway.password
    recording = load_recording(out)  # validates every line against schemas/recording/
    header = recording.header
    assert header.profile == firmware and header.firmware.split()[0] == firmware
    assert header.endpoints[-2:] == ("/tedapi/din", "/tedapi/v1") and header.gateway["din"]
    din = header.gateway["din"]
    kinds = {(r.request, r.device) for r in recording.responses if r.path == "/tedapi/v1"}
    own = {("query ComponentsQuery", din), ("query PW3Query", din)}  # a PW3 site's leader is the gateway
    assert kinds == {("system info", None), ("file config.json", None), ("query DeviceControllerQuery", None)} | (
        own if pw3 else set()  # a Powerwall 2 site's blocks are not Powerwall 3s: no per-device queries
    )
    assert '"body_base64":' in out.read_text() and all(r.status == 200 for r in recording.responses)

    # a PW3 replay's customer password defaults, as on the gateway, to the sticker's last five
    client: TestClient = replay_client(recording, gw_password=GW, **({} if pw3 else {"password": customer}))
    assert client.get("/tedapi/din").status_code == 401
    assert client.get("/tedapi/din", headers=basic(WRONG)).status_code == 403
    assert client.get("/tedapi/din", headers=basic(GW)).text == din
    reads = [Read(key, body) for key, body in requests(din)] + device_requests(din, posted(recording, CONFIG))
    assert len(reads) == (5 if pw3 else 3)
    for read in reads:
        answer = client.post(read.path, content=read.body, headers=basic(GW))
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/octet-stream"
        assert answer.content == posted(recording, read.key, read.device)  # byte for byte what the gateway answered
        if read.device:  # the same device asked by its own path gets the same answer; another device, none
            routed = client.post(f"/tedapi/device/{read.device}/v1", content=read.body, headers=basic(GW))
            assert routed.content == answer.content
            other = f"/tedapi/device/{read.device[:-1]}X/v1"
            assert client.post(other, content=read.body, headers=basic(GW)).status_code == 404
    info = client.post("/tedapi/v1", content=requests(din)[0][1], headers=basic(GW)).content
    assert firmware_version(info) == header.firmware
    assert client.post("/tedapi/v1", content=b"\xff\xff", headers=basic(GW)).status_code == 400
    assert client.post("/tedapi/v1", content=requests(din)[0][1], headers=basic(WRONG)).status_code == 403
    login(client, customer)  # the LAN reads keep the customer login the firmware asks for
    first = next(r for r in recording.responses if r.path == "/api/meters/aggregates")
    assert client.get("/api/meters/aggregates").json() == first.body
    scenario = tmp_path / "scenario.yaml"  # a scenario expects only what its runner can ask: the /api/ reads
    assert main(["scenario", "from-recording", str(out), "--out", str(scenario)]) == 0
    assert "/tedapi/" not in scenario.read_text() and "endpoint: /api/" in scenario.read_text()


def test_a_powerwall_3_without_the_gateway_password_is_one_line_and_no_file(tmp_path, capsys):
    out = tmp_path / "rec.jsonl"
    code, _ = record("25.10.1", out)
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no GET /api/status (a Powerwall 3?): give --rsa-key" in err
    assert "or --gw-password (the gateway password on its QR sticker)" in err
    code, _ = record("25.10.1", out, "--gw-password", WRONG)
    assert code == 1 and "refused the gateway password (403)" in capsys.readouterr().err


def pypowerwall_reads(port: int) -> dict[str, dict]:
    """What pypowerwall reads in full TEDAPI mode, in each of its protobuf API versions."""
    reads = {}
    for version in ("V2024_06", "V2026_06"):
        client = Client(f"127.0.0.1:{port}", "", version, gw_password=GW)
        try:
            reads[version] = client.read()
        finally:
            client.close()
    return reads


def test_pypowerwall_in_full_tedapi_mode_reads_a_replayed_powerwall_3_as_it_read_the_live_one(tmp_path):
    """pypowerwall 0.22.2, unmodified, with only the gateway password, reads from the replay what it read
    from the paused Powerwall 3 (and its expansion pack) the recording was made of.

    Its V2026_06 wording asks PW3Query, its V2024_06 one ComponentsQuery with the temperature signals; the
    recorder asked the Powerwall 3 both, and a replay answers each for the device it asks. The status query
    is matched by kind: the recorder's wording answers both of pypowerwall's.
    """
    out = tmp_path / "rec.jsonl"
    with live_emulator("25.10.1", gw_password=GW, paused=True, powerwalls=2) as live:
        code = main(["record", "--gateway-url", live.server.url, "--out", str(out), *FAST, "--gw-password", GW])
        assert code == 0
        live_reads = pypowerwall_reads(live.server.port)
    recording = load_recording(out)
    status = pb.Frame()
    status.ParseFromString(posted(recording, "query DeviceControllerQuery"))
    control = json.loads(status.envelope.graphql.query_response.data)["control"]
    meters = {m["location"]: m["realPowerW"] for m in control["meterAggregates"]}
    app = create_replay_app(recording, gw_password=GW, paused=True, tls=True)
    with ServerThread(app, tls=self_signed(key_type="ec").identity) as server:
        replayed = pypowerwall_reads(server.port)
    for version, read in replayed.items():
        seen = live_reads[version]
        assert read["mode"] == "full" and read["din"] == recording.header.gateway["din"]
        assert read["version"] == recording.header.firmware and read["grid_status"] == "UP"
        system = control["systemStatus"]
        energy = 100 * system["nominalEnergyRemainingWh"] / system["nominalFullPackEnergyWh"]
        assert read["level"] == pytest.approx(energy)
        assert read["power"] == pytest.approx({k.lower(): v for k, v in meters.items()})
        assert len(read["battery_blocks"]) == 2 and sum(s["Connected"] for s in read["strings"].values()) == 3
        for what in ("strings", "temps", "battery_blocks"):
            assert read[what] == seen[what], (version, what)
    assert replayed["V2024_06"]["temps"]  # only this wording asks for the temperatures


def test_without_pypowerwall_a_powerwall_3_is_recorded_without_its_signed_queries_and_a_note_says_so(
    tmp_path, capsys, monkeypatch
):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pypowerwall" else real(name, *a))
    out = tmp_path / "rec.jsonl"
    assert record("25.10.1", out, "--gw-password", GW)[0] == 0
    assert "note: pypowerwall is not installed: the TEDAPI's signed queries" in capsys.readouterr().out
    kinds = {(r.request, r.device) for r in load_recording(out).responses if r.path == "/tedapi/v1"}
    assert kinds == {("system info", None), ("file config.json", None)}


def test_each_powerwall_3_config_json_lists_is_asked_about_itself_a_follower_through_the_gateway():
    leader, follower = "1707000-11-J--TG1000000001A", "1707000-11-J--TG1000000002B"
    config = pb.Frame()
    config.envelope.filestore.read_file_response.file.blob = json.dumps(
        {
            "battery_blocks": [
                {"vin": leader, "type": "Powerwall3"},
                {"vin": follower, "type": "Powerwall3"},
                {"vin": "3012170-05-B--TG3", "type": "acpw"},  # a Powerwall 2 answers no components query
                {"vin": "../etc", "type": "Powerwall3"},  # not a DIN: never put in a path
            ]
        }
    ).encode()
    reads = device_requests(leader, config.SerializeToString())
    assert [(r.key, r.device, r.path) for r in reads] == [
        ("query ComponentsQuery", leader, "/tedapi/v1"),
        ("query PW3Query", leader, "/tedapi/v1"),
        ("query ComponentsQuery", follower, f"/tedapi/device/{follower}/v1"),
        ("query PW3Query", follower, f"/tedapi/device/{follower}/v1"),
    ]
    routed = pb.Frame()
    routed.ParseFromString(reads[-1].body)  # as pypowerwall routes a follower: from the gateway, tail 2
    assert routed.envelope.sender.din == leader and routed.envelope.recipient.din == follower
    assert routed.tail.value == 2
    assert device_requests(leader, b"\xff not protobuf") == []
