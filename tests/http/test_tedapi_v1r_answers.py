"""A signed read's answer is kept for the sample, and nothing else is kept: every check still runs on every request.

The signed door (POST /tedapi/v1r) keeps a read's answer envelope per sample, by signer and envelope bytes
(emulator/tedapi/answers.py), as the Wi-Fi door keeps its answers. Each test first has an answer kept, then
shows that a request which must not get it -- expired, signed for another device, badly signed, from a key
removed or not verified -- is refused as before, and that a new sample or a change of state answers anew.
The door's fast path (serving/fast_tedapi.py, the protocol's own answers) must answer as the route does.
"""

from __future__ import annotations

import json
import time
import warnings
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

import emulator
from contract_tests import tedapi
from emulator.contract.signed_query import status_query
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.commands import per_sample
from emulator.tedapi.dispatch import command
from emulator.testing.keys import private_key_pem, public_key_pem
from tests.support.v1r_messages import answer, envelope_of, fault_name, routable
from tests.support.v1r_site import GW_PASSWORD, din_of, v1r_client

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
VERIFIED, OTHER = 0, 2  # key slots (made once per process)
HEADERS = {"content-type": "application/octet-stream"}


def status_envelope(din: str) -> bytes:
    query = status_query()
    assert query is not None  # pypowerwall is a test dependency
    return tedapi.envelope(din, *tedapi.query_body(query))


def post(c: TestClient | httpx.Client, body: bytes) -> bytes:
    reply = c.post("/tedapi/v1r", content=body, headers=HEADERS)
    assert reply.status_code == 200, reply.text
    return reply.content


def status_data(body: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(envelope_of(body).graphql.query_response.data)
    return data


def v1_status_data(c: TestClient, din: str) -> dict[str, Any]:
    query = status_query()
    assert query is not None
    reply = c.post(
        "/tedapi/v1", content=tedapi.frame(din, *tedapi.query_body(query)), auth=("Tesla_Energy_Device", GW_PASSWORD)
    )
    assert reply.status_code == 200
    frame = pb.Frame()
    frame.ParseFromString(reply.content)
    data: dict[str, Any] = json.loads(frame.envelope.graphql.query_response.data)
    return data


def test_a_read_answers_from_its_sample_and_anew_with_the_next_one_as_the_wi_fi_door_does() -> None:
    c = v1r_client()
    din = din_of(c)
    envelope = status_envelope(din)
    first = post(c, routable(private_key_pem(VERIFIED), din, envelope))
    again = post(c, routable(private_key_pem(VERIFIED), din, envelope))  # a new uuid and signature, same envelope
    assert answer(first).protobuf_message_as_bytes == answer(again).protobuf_message_as_bytes
    assert answer(first).request_uuid != answer(again).request_uuid  # each request's own uuid is echoed
    assert status_data(first) == v1_status_data(c, din)
    assert c.post("/_emulator/clock", json={"advance_s": 3600}).status_code == 200
    later = post(c, routable(private_key_pem(VERIFIED), din, envelope))
    assert status_data(later) != status_data(first) and status_data(later) == v1_status_data(c, din)


def test_a_kept_answer_lets_no_failing_check_through() -> None:
    c = v1r_client(powerwalls=2)
    din = din_of(c)
    envelope = status_envelope(din)
    key = private_key_pem(VERIFIED)
    envelope_of(post(c, routable(key, din, envelope)))  # answered, and kept
    now = int(time.time())
    refused = {
        "expired": routable(key, din, envelope, expires_at=now - 60),
        "too far ahead": routable(key, din, envelope, expires_at=now + 600),
        "for another device": routable(key, din.replace("--", "--X"), envelope),
        "badly signed": routable(key, din, envelope, signature=bytes(512)),
        "by another key": routable(private_key_pem(OTHER), din, envelope),
    }
    assert {why: fault_name(post(c, body)) for why, body in refused.items()} == {
        "expired": "MESSAGEFAULT_ERROR_TIME_EXPIRED",
        "too far ahead": "MESSAGEFAULT_ERROR_TIME_TO_LIVE_TOO_LONG",
        "for another device": "MESSAGEFAULT_ERROR_INVALID_SIGNATURE",
        "badly signed": "MESSAGEFAULT_ERROR_INVALID_SIGNATURE",
        "by another key": "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID",
    }
    fingerprint = c.get("/_emulator/authorized_clients").json()["authorized_clients"][0]["fingerprint"]
    assert c.delete(f"/_emulator/authorized_clients/{fingerprint}").status_code in (200, 204)
    assert fault_name(post(c, routable(key, din, envelope))) == "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID"
    added = c.post("/_emulator/authorized_clients", json={"public_key": public_key_pem(key).decode()})
    assert added.status_code == 201 and added.json()["state"] == "pending"
    pending = envelope_of(post(c, routable(key, din, envelope)))
    assert pending.common.error_response.status.message == "v1r: client authorization not verified"


def test_a_fault_rule_acts_on_a_read_whose_answer_is_kept_and_its_refusal_is_not_kept() -> None:
    c = v1r_client()
    din = din_of(c)
    envelope = status_envelope(din)
    key = private_key_pem(VERIFIED)
    kept = envelope_of(post(c, routable(key, din, envelope)))  # answered, and kept
    rule = c.post("/_emulator/faults", json={"path": "/tedapi/v1r", "kind": "v1r_not_verified"})
    assert rule.status_code == 201, rule.text
    refused = envelope_of(post(c, routable(key, din, envelope)))
    assert refused.common.error_response.status.message == "v1r: client authorization not verified"
    assert c.delete("/_emulator/faults").status_code in (200, 204)
    assert envelope_of(post(c, routable(key, din, envelope))) == kept


def test_only_reads_of_the_sample_are_kept_and_a_write_can_never_be() -> None:
    def asking(payload: str, member: str) -> pb.Envelope:
        envelope = pb.Envelope()
        getattr(getattr(envelope, payload), member).SetInParent()
        return envelope

    assert per_sample(asking("graphql", "query_request")) and per_sample(asking("filestore", "read_file_request"))
    assert per_sample(asking("common", "get_system_info_request"))
    # the key table's states move with the clock inside a sample; writes change the gateway
    assert not per_sample(asking("authorization", "list_authorized_clients_request"))
    assert not per_sample(asking("teg", "cancel_manual_backup_event_request"))
    with pytest.raises(ValueError, match="never kept"):
        command("teg", "cancel_manual_backup_event_request", writes=True, per_sample=True)


def _without_uuids(body: bytes) -> bytes:
    reply = answer(body)
    reply.uuid, reply.request_uuid = b"", b""
    return reply.SerializeToString()


def test_the_fast_path_answers_v1r_as_the_route_does() -> None:
    """With a length, the middleware answers before the router; chunked (no length), the route answers."""
    c = v1r_client()
    din = din_of(c)
    for envelope in (status_envelope(din), b"\x00\x01not an envelope"):
        body = routable(private_key_pem(VERIFIED), din, envelope)
        fast = c.post("/tedapi/v1r", content=body, headers=HEADERS)
        routed = c.post("/tedapi/v1r", content=iter([body[:100], body[100:]]), headers=HEADERS)
        assert fast.status_code == routed.status_code == 200
        assert _without_uuids(fast.content) == _without_uuids(routed.content)
        assert [(k, v) for k, v in fast.headers.items()] == [(k, v) for k, v in routed.headers.items()]
    assert c.post("/tedapi/v1r", content=b"", headers=HEADERS).status_code == 400  # the route's refusal


def test_the_protocols_own_answer_to_a_signed_read_is_the_routes(tmp_path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(private_key_pem(VERIFIED))
    with emulator.running(firmware="25.10.1", paused=True, gw_password=GW_PASSWORD, authorized_keys=(str(key),)) as gw:
        with httpx.Client(base_url=gw.url, verify=False) as http:
            din = din_of(http)
            body = routable(private_key_pem(VERIFIED), din, status_envelope(din))
            kept_alive = [http.post("/tedapi/v1r", content=body, headers=HEADERS) for _ in range(2)]
            routed = http.post("/tedapi/v1r", content=iter([body]), headers=HEADERS)  # chunked: the route's
        answers = [*kept_alive, routed]
        assert {_without_uuids(a.content) for a in answers} == {_without_uuids(routed.content)}
        assert {tuple((k, v) for k, v in a.headers.items() if k != "date") for a in answers} == {
            tuple((k, v) for k, v in routed.headers.items() if k != "date")
        }
        journal = gw.requests(path="/tedapi/v1r")
        assert [e["status"] for e in journal] == [200, 200, 200]
        assert journal[0]["body"] == journal[2]["body"] != ""
