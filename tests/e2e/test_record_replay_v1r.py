"""`record --rsa-key` reads a Powerwall 3 over TEDAPI v1r, and `serve --replay` answers those reads, checking each
request's signature against its own authorized keys (`--authorized-key`), never the recorded gateway's.

The recorded gateway is the emulator served as a real one (25.10.1, the owner's key verified); the recorder gets what
an owner on today's LAN has: the URL, the customer password and the key file -- no gateway password.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from emulator.cli import main
from emulator.contract.v1r import signed_message, signing_key
from emulator.replay import Recording, create_replay_app, load_recording
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r_pb
from emulator.testing.keys import private_key_pem, public_key_pem
from tests.e2e.test_record_replay import FAST, live_emulator
from tests.support.paths import ROOT
from tests.support.processes import printed, started

OWNER, OTHER = private_key_pem(0), private_key_pem(1)
V1R = "/tedapi/v1r"
KINDS = {
    ("system info", False),
    ("file config.json", False),
    ("query DeviceControllerQuery", False),
    ("query ComponentsQuery", True),  # a Powerwall 3's own components: the leader answers for the site
    ("query PW3Query", True),
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Recording, str]:
    """A recording made over v1r with the owner's key, and the customer password it logged in with."""
    folder = tmp_path_factory.mktemp("v1r")
    key, out = folder / "tedapi_rsa_private.pem", folder / "rec.jsonl"
    key.write_bytes(OWNER)
    with live_emulator("25.10.1", authorized_keys=(OWNER,)) as live:
        password = live.gateway.password
        argv = ["record", "--gateway-url", live.server.url, "--password", password, "--out", str(out), *FAST]
        assert main([*argv, "--rsa-key", str(key)]) == 0
        journal = live.journal(path=V1R)
    assert journal and all(entry["status"] == 200 for entry in journal)
    return load_recording(out), password  # every line checked against schemas/recording/


def ask(client: TestClient, envelope: pb.Envelope, *, pem: bytes = OWNER, din: str, **changes: object) -> bytes:
    body = signed_message(signing_key(pem), din, envelope.SerializeToString(), **changes)  # type: ignore[arg-type]
    response = client.post(V1R, content=body)
    assert response.status_code == 200 and response.headers["content-type"] == "application/octet-stream"
    return response.content


def fault(answer: bytes) -> str:
    return v1r_pb.MessageFault.Name(v1r_pb.RoutableMessage.FromString(answer).signed_message_status.message_fault)


def system_info(din: str) -> pb.Envelope:
    envelope = pb.Envelope(delivery_channel=1)
    envelope.recipient.din = din
    envelope.common.get_system_info_request.SetInParent()
    return envelope


def test_the_recording_holds_each_v1r_read_as_the_gateway_answered_it(recorded: tuple[Recording, str]) -> None:
    recording, _ = recorded
    header = recording.header
    din = header.gateway["din"]
    assert header.profile == "25.10.1" and din and header.endpoints[-2:] == ("/tedapi/din", V1R)
    v1r = [r for r in recording.responses if r.path == V1R]
    assert {(r.request, r.device == din) for r in v1r} == KINDS
    for line in v1r:
        assert line.status == 200 and line.binary is not None
        message = v1r_pb.RoutableMessage.FromString(line.binary)
        assert not message.signed_message_status.message_fault and message.protobuf_message_as_bytes
    assert not any(r.path == "/tedapi/v1" for r in recording.responses)  # no gateway password: no Wi-Fi TEDAPI


def test_a_replay_answers_its_own_verified_keys_with_the_recorded_envelopes(recorded: tuple[Recording, str]) -> None:
    recording, password = recorded
    din = recording.header.gateway["din"]
    assert din
    latest = {r.request: r.binary for r in recording.responses if r.path == V1R}
    with TestClient(create_replay_app(recording, paused=True, password=password, authorized_keys=(OWNER,))) as client:
        login = client.post("/api/login/Basic", json={"username": "customer", "password": password, "email": "a@b.c"})
        token = login.json()["token"]
        assert client.get("/tedapi/din", headers={"authorization": f"Bearer {token}"}).text == din
        uuid = b"0123456789abcdef"
        answer = v1r_pb.RoutableMessage.FromString(ask(client, system_info(din), din=din, uuid=uuid))
        assert answer.request_uuid == uuid and answer.uuid and answer.uuid != uuid  # carried back to this request
        recorded_info = v1r_pb.RoutableMessage.FromString(latest["system info"] or b"")
        assert answer.protobuf_message_as_bytes == recorded_info.protobuf_message_as_bytes
        config = pb.Envelope(delivery_channel=2)
        config.filestore.read_file_request.name = "config.json"
        answered = v1r_pb.RoutableMessage.FromString(ask(client, config, din=din))
        recorded_config = v1r_pb.RoutableMessage.FromString(latest["file config.json"] or b"")
        assert answered.protobuf_message_as_bytes == recorded_config.protobuf_message_as_bytes

        # each request checked as a gateway checks it, by the replay's own keys and the recorded DIN
        assert fault(ask(client, system_info(din), pem=OTHER, din=din)) == "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID"
        stale = int(time.time()) - 300
        assert fault(ask(client, system_info(din), din=din, expires_at=stale)) == "MESSAGEFAULT_ERROR_TIME_EXPIRED"
        other_din = din[:-1] + ("0" if din[-1] != "0" else "1")
        assert fault(ask(client, system_info(din), din=other_din)) == "MESSAGEFAULT_ERROR_INVALID_SIGNATURE"
        listed = client.post("/_emulator/authorized_clients", json={"public_key": public_key_pem(OTHER).decode()})
        assert listed.status_code == 201 and listed.json()["state"] == "pending"
        pending = v1r_pb.RoutableMessage.FromString(ask(client, system_info(din), pem=OTHER, din=din))
        assert b"authorization not verified" in pending.protobuf_message_as_bytes
        assert client.post("/_emulator/authorized_clients/presence_proof").status_code == 200
        proven = v1r_pb.RoutableMessage.FromString(ask(client, system_info(din), pem=OTHER, din=din))
        assert proven.protobuf_message_as_bytes == recorded_info.protobuf_message_as_bytes

        # a command never recorded is a 404, as every path a recording lacks
        body = signed_message(signing_key(OWNER), din, pb.Envelope(delivery_channel=2).SerializeToString())
        assert client.post(V1R, content=body).status_code == 404


def test_a_replay_takes_the_v1r_fault_rules_after_its_own_checks(recorded: tuple[Recording, str]) -> None:
    recording, password = recorded
    din = recording.header.gateway["din"] or ""
    with TestClient(create_replay_app(recording, paused=True, password=password, authorized_keys=(OWNER,))) as client:
        added = client.post("/_emulator/faults", json={"path": V1R, "kind": "v1r_fault", "message_fault": "BUSY"})
        assert added.status_code == 201, added.text
        assert fault(ask(client, system_info(din), pem=OTHER, din=din)) == "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID"
        assert fault(ask(client, system_info(din), din=din)) == "MESSAGEFAULT_ERROR_BUSY"
        client.delete("/_emulator/faults")
        rule = {"path": V1R, "kind": "v1r_unimplemented", "command": "get_system_info", "count": 1}
        assert client.post("/_emulator/faults", json=rule).status_code == 201
        refused = v1r_pb.RoutableMessage.FromString(ask(client, system_info(din), din=din))
        reply = pb.Envelope.FromString(refused.protobuf_message_as_bytes)
        assert reply.common.error_response.status.code == 12  # UNIMPLEMENTED
        answered = v1r_pb.RoutableMessage.FromString(ask(client, system_info(din), din=din))
        assert pb.Envelope.FromString(answered.protobuf_message_as_bytes).common.HasField("get_system_info_response")
        journal = client.get("/_emulator/requests", params={"path": V1R}).json()["requests"]
        assert [entry["fault"] for entry in journal] == [None, "f1", "f2", None]


def test_a_replay_without_keys_knows_none(recorded: tuple[Recording, str]) -> None:
    recording, _ = recorded
    din = recording.header.gateway["din"] or ""
    with TestClient(create_replay_app(recording, paused=True)) as client:
        assert fault(ask(client, system_info(din), din=din)) == "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID"


def test_serve_replay_takes_its_authorized_keys_from_the_command_line(
    recorded: tuple[Recording, str], tmp_path: Path
) -> None:
    recording, _ = recorded
    key = tmp_path / "owner.pem"
    key.write_bytes(public_key_pem(OWNER))  # a public key is enough for a gateway to check signatures
    argv = [sys.executable, "-m", "emulator.cli", "serve", "--replay", str(recording.file), "--port", "0"]
    with started([*argv, "--authorized-key", str(key)], cwd=ROOT) as proc:
        line = printed(proc, r"(TEDAPI v1r: .*)")
        url = printed(proc, r"control API:\s+(\S+)/_emulator/replay")
    assert line is not None and "1 authorized key(s)" in line and url


def test_record_refuses_a_key_it_cannot_sign_with_and_a_key_the_gateway_does_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = tmp_path / "public.pem"
    public.write_bytes(public_key_pem(OWNER))
    out = tmp_path / "rec.jsonl"
    argv = ["record", "--gateway-url", "https://192.0.2.1", "--password", "x", "--out", str(out)]  # TEST-NET
    assert main([*argv, "--rsa-key", str(public)]) == 2
    assert "--rsa-key: " in capsys.readouterr().err and not out.exists()
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(OTHER)  # a key of its own, never registered with this gateway
    with live_emulator("25.10.1", authorized_keys=(OWNER,)) as live:
        argv = ["record", "--gateway-url", live.server.url, "--password", live.gateway.password, "--out", str(out)]
        assert main([*argv, *FAST, "--rsa-key", str(stranger)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not know the key" in err and "UNKNOWN_KEY_ID" in err, err
    assert not out.exists()
