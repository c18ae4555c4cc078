"""POST /tedapi/v1r on the wire: what a gateway lets in, and each fault that keeps the rest out.

Requests are built with tesla-protocol's classes (aiopowerwall 0.8.0's wire definitions) and signed
here, so each part can be wrong on purpose: the DIN signed for, the expiry, the domain, the key, the
signature, the uuid. Every refusal is a 200 carrying its fault, or a 4xx, never a 5xx, and changes
nothing. The keys are real RSA-4096 keys (emulator.testing.keys: made once per process).
"""

from __future__ import annotations

import json
import math
import time
import uuid as uuids
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from tesla_protocol.energy_device import filestore_api_pb2, signed_message_pb2, transport_pb2

from emulator.testing.keys import private_key_pem, public_key_pem
from tests.support.v1r_messages import (
    NOT_VERIFIED,
    answer,
    command,
    config_read,
    envelope_of,
    fault_name,
    routable,
    sign,
    system_info,
)
from tests.support.v1r_site import GW_PASSWORD, din_of, v1r_client

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
VERIFIED, STRANGER, PENDING = 0, 1, 2  # key slots


@pytest.fixture(scope="module")
def site() -> TestClient:
    return v1r_client(powerwalls=2)


def post(c: TestClient, body: bytes) -> bytes:
    reply = c.post("/tedapi/v1r", content=body, headers={"content-type": "application/octet-stream"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/octet-stream"
    return reply.content


def observed(c: TestClient) -> tuple[object, object]:
    """Everything a refused request must leave as it was: the gateway's state and its key table."""
    return c.get("/_emulator/state").json(), c.get("/_emulator/authorized_clients").json()


def test_a_request_signed_as_aiopowerwall_signs_is_answered_and_its_uuid_echoed(site: TestClient) -> None:
    din = din_of(site)
    raw_uuid = uuids.uuid4().bytes
    body = post(site, routable(private_key_pem(VERIFIED), din, system_info(din), uuid=raw_uuid))
    reply = answer(body)
    assert reply.request_uuid == raw_uuid and len(reply.uuid) == 16
    assert reply.from_destination.domain == signed_message_pb2.DOMAIN_ENERGY_DEVICE
    assert reply.protobuf_message_as_bytes  # never empty on success: both clients take empty as refused
    info = envelope_of(body).common.get_system_info_response
    assert info.din == din and info.firmware_version.version.startswith("25.10.1")


def test_pypowerwalls_text_uuid_is_accepted_and_echoed(site: TestClient) -> None:
    din = din_of(site)
    text_uuid = str(uuids.uuid4()).encode()
    body = post(site, routable(private_key_pem(VERIFIED), din, config_read(din), uuid=text_uuid))
    assert answer(body).request_uuid == text_uuid
    content = envelope_of(body).filestore.read_file_response
    config = json.loads(content.file.blob)
    assert config["vin"] == din and len(content.hash) == 32


def test_the_signed_bytes_are_the_tlv_byte_for_byte(site: TestClient) -> None:
    """Signed over the TLV written out by hand (research: tedapi-v1r.md section 3.2), not built by code."""
    din = din_of(site)
    envelope = system_info(din)
    expires = math.ceil(time.time()) + 12
    signed = (
        bytes.fromhex("000107" "010107" "02") + bytes([len(din)]) + din.encode()
        + bytes.fromhex("0404") + expires.to_bytes(4, "big") + b"\xff" + envelope
    )  # fmt: skip
    signature = sign(private_key_pem(VERIFIED), signed)
    body = post(site, routable(private_key_pem(VERIFIED), din, envelope, expires_at=expires, signature=signature))
    assert envelope_of(body).common.HasField("get_system_info_response")


def test_the_leader_answers_for_the_whole_site_whatever_din_the_envelope_names(site: TestClient) -> None:
    din = din_of(site)
    for recipient in ("1707000-11-J--TG9999999999Z", "", "x" * 255):
        body = post(site, routable(private_key_pem(VERIFIED), din, system_info(recipient)))
        assert envelope_of(body).common.get_system_info_response.din == din


def _other_dins(c: TestClient, din: str) -> list[str]:
    config = json.loads(
        envelope_of(
            post(c, routable(private_key_pem(VERIFIED), din, config_read(din)))
        ).filestore.read_file_response.file.blob
    )
    return [e["din"] for block in config["battery_blocks"] for e in block["battery_expansions"]]


# name -> (how to build the request from (din, other DIN of the site), the fault the gateway answers)
def _cases() -> dict[str, tuple[Callable[[str, str], bytes], str]]:
    key, stranger = private_key_pem(VERIFIED), private_key_pem(STRANGER)
    now = math.ceil(time.time())

    def signed(**kw: Any) -> Callable[[str, str], bytes]:
        return lambda din, other: routable(key, din, system_info(din), **kw)

    def no_payload(din: str, other: str) -> bytes:
        message = answer(routable(key, din, system_info(din)))
        message.ClearField("protobuf_message_as_bytes")
        return message.SerializeToString()

    def no_rsa_data(din: str, other: str) -> bytes:
        message = answer(routable(key, din, system_info(din)))
        message.signature_data.ClearField("rsa_data")
        return message.SerializeToString()

    def by_handle(din: str, other: str) -> bytes:
        message = answer(routable(key, din, system_info(din)))
        message.signature_data.signer_identity.handle = 7
        return message.SerializeToString()

    def routed(din: str, other: str) -> bytes:
        message = answer(routable(key, din, system_info(din)))
        message.to_destination.routing_address = b"\x01" * 16
        return message.SerializeToString()

    def tampered(din: str, other: str) -> bytes:
        message = answer(routable(key, din, system_info(din)))
        message.protobuf_message_as_bytes += b"\x08\x01"
        return message.SerializeToString()

    return {
        "random bytes": (lambda din, other: b"\xff\x00 not protobuf \x9a", "MESSAGEFAULT_ERROR_DECODING"),
        "truncated": (lambda din, other: routable(key, din, system_info(din))[:-7], "MESSAGEFAULT_ERROR_DECODING"),
        "no field 10": (no_payload, "MESSAGEFAULT_ERROR_DECODING"),
        "field 10 as a varint": (lambda din, other: b"\x50\x01", "MESSAGEFAULT_ERROR_DECODING"),
        "signature data as a varint": (
            lambda din, other: b"\x52\x02\x08\x01" + b"\x32\x02\x08\x07" + b"\x68\x05",
            "MESSAGEFAULT_ERROR_BAD_PARAMETER",
        ),
        "domain 3": (signed(domain=signed_message_pb2.DOMAIN_INFOTAINMENT), "MESSAGEFAULT_ERROR_INVALID_DOMAINS"),
        "routing address": (routed, "MESSAGEFAULT_ERROR_INVALID_DOMAINS"),
        "no rsa data": (no_rsa_data, "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "signer by handle": (by_handle, "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "empty signature": (signed(signature=b""), "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "60 KB signature": (signed(signature=b"\x01" * 60_000), "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "60 KB key": (signed(public_key=b"\x30" * 60_000), "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "a 20-byte uuid": (signed(uuid=b"u" * 20), "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "a 36-character uuid that is no uuid": (signed(uuid=b"z" * 36), "MESSAGEFAULT_ERROR_BAD_PARAMETER"),
        "unknown key": (
            lambda din, other: routable(stranger, din, system_info(din)),
            "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID",
        ),
        "garbage key": (signed(public_key=b"\x30\x82 not a key"), "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID"),
        "expiry 0": (signed(expires_at=0), "MESSAGEFAULT_ERROR_TIME_EXPIRED"),
        "expired a minute ago": (signed(expires_at=now - 60), "MESSAGEFAULT_ERROR_TIME_EXPIRED"),
        "expiry 2^32-1": (signed(expires_at=2**32 - 1), "MESSAGEFAULT_ERROR_TIME_TO_LIVE_TOO_LONG"),
        "expires in an hour": (signed(expires_at=now + 3600), "MESSAGEFAULT_ERROR_TIME_TO_LIVE_TOO_LONG"),
        "signed for another device of the site": (
            lambda din, other: routable(key, other, system_info(din)),
            "MESSAGEFAULT_ERROR_WRONG_PERSONALIZATION",
        ),
        "signed for a DIN of 0 bytes": (
            lambda din, other: routable(key, b"", system_info(din)),
            "MESSAGEFAULT_ERROR_INVALID_SIGNATURE",
        ),
        "signed for a DIN of 255 bytes": (
            lambda din, other: routable(key, b"D" * 255, system_info(din)),
            "MESSAGEFAULT_ERROR_INVALID_SIGNATURE",
        ),
        "envelope changed after signing": (tampered, "MESSAGEFAULT_ERROR_INVALID_SIGNATURE"),
        "signed by another key": (
            lambda din, other: routable(key, din, system_info(din), signature=sign(stranger, b"x")),
            "MESSAGEFAULT_ERROR_INVALID_SIGNATURE",
        ),
        "a signature one byte short": (
            lambda din, other: routable(key, din, system_info(din), signature=b"\x01" * 511),
            "MESSAGEFAULT_ERROR_INVALID_SIGNATURE",
        ),
    }


@pytest.mark.parametrize("case", list(_cases()))
def test_each_refusal_is_its_fault_at_200_and_changes_nothing(site: TestClient, case: str) -> None:
    build, fault = _cases()[case]
    din = din_of(site)
    other = _other_dins(site, din)[0]
    before = observed(site)
    body = post(site, build(din, other))
    assert fault_name(body) == fault
    assert not answer(body).protobuf_message_as_bytes  # a refusal carries no envelope
    assert observed(site) == before


@pytest.mark.parametrize("part", ["signature", "public_key"])
def test_a_megabyte_signature_or_key_is_refused_at_the_door_with_413(site: TestClient, part: str) -> None:
    din = din_of(site)
    before = observed(site)
    huge: dict[str, Any] = {part: b"\x01" * 1_000_000}
    body = routable(private_key_pem(VERIFIED), din, system_info(din), **huge)
    reply = site.post("/tedapi/v1r", content=body)
    assert reply.status_code == 413 and reply.json()["code"] == 413
    assert observed(site) == before


def test_no_body_at_all_is_a_400(site: TestClient) -> None:
    before = observed(site)
    reply = site.post("/tedapi/v1r")
    assert reply.status_code == 400 and reply.json()["code"] == 400
    assert observed(site) == before


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(body=st.binary(min_size=1, max_size=400))
def test_any_bytes_get_a_fault_and_change_nothing(body: bytes) -> None:
    c = CLIENT
    before = observed(c)
    reply = c.post("/tedapi/v1r", content=body)
    assert reply.status_code == 200
    assert answer(reply.content).signed_message_status.message_fault != 0
    assert observed(c) == before


CLIENT = v1r_client()


@pytest.mark.parametrize("state", ["pending", "timed_out"])
def test_a_key_not_verified_gets_200_and_the_phrase_both_clients_look_for(state: str) -> None:
    c = v1r_client()
    pem = private_key_pem(PENDING)
    added = c.post("/_emulator/authorized_clients", json={"public_key": pem.decode()})
    assert added.status_code == 201 and added.json()["state"] == "pending"
    if state == "timed_out":
        c.post("/_emulator/clock", json={"advance_s": 601})
        assert c.get("/_emulator/authorized_clients").json()["authorized_clients"][-1]["state"] == "timed_out"
    din = din_of(c)
    before = observed(c)
    body = post(c, routable(pem, din, config_read(din)))
    reply = answer(body)
    assert reply.signed_message_status.message_fault == 0
    assert NOT_VERIFIED in reply.protobuf_message_as_bytes.lower()  # aiopowerwall's regex, pypowerwall's test
    status = envelope_of(body).common.error_response.status
    assert "client authorization not verified" in status.message
    assert not envelope_of(body).filestore.HasField("read_file_response")  # no data for an unverified key
    assert observed(c) == before


def test_an_unknown_command_is_unimplemented_code_12(site: TestClient) -> None:
    din = din_of(site)
    envelope = command(din)
    envelope.wc.SetInParent()  # a wall connector's member: no gateway answers it
    body = post(site, routable(private_key_pem(VERIFIED), din, envelope.SerializeToString()))
    status = envelope_of(body).common.error_response.status
    assert status.code == 12


def test_a_signed_payload_that_is_no_envelope_is_a_decoding_fault(site: TestClient) -> None:
    din = din_of(site)
    body = post(site, routable(private_key_pem(VERIFIED), din, b"\xff\xff\xff"))
    assert fault_name(body) == "MESSAGEFAULT_ERROR_DECODING"


def test_a_command_refused_by_its_handler_answers_inside_the_envelope(site: TestClient) -> None:
    din = din_of(site)
    envelope = command(din)
    envelope.filestore.read_file_request.domain = filestore_api_pb2.FILE_STORE_API_DOMAIN_GRID_CODE_REGIONS_CSV
    envelope.filestore.read_file_request.name = "grid_code_regions.csv"
    body = post(site, routable(private_key_pem(VERIFIED), din, envelope.SerializeToString()))
    status = envelope_of(body).common.error_response.status
    assert status.code == 5 and "grid_code_regions.csv" in status.message  # NOT_FOUND


def test_a_bearer_header_on_v1r_is_ignored_not_refused(site: TestClient) -> None:
    din = din_of(site)
    reply = site.post(
        "/tedapi/v1r",
        content=routable(private_key_pem(VERIFIED), din, system_info(din)),
        headers={"authorization": "Bearer not-a-session"},
    )
    assert reply.status_code == 200 and envelope_of(reply.content).common.HasField("get_system_info_response")


def test_v1r_is_404_where_the_firmware_facts_do_not_serve_it() -> None:
    c = v1r_client("24.4.0")
    assert c.post("/tedapi/v1r", content=b"").status_code == 404
    assert v1r_client().get("/tedapi/v1r").status_code == 405


def _frame(envelope: bytes) -> bytes:
    """The Wi-Fi door's Frame around an envelope: field 1 (the envelope), field 2 (tail 1)."""
    size, length = len(envelope), b""
    while size >= 0x80:
        length, size = length + bytes([size & 0x7F | 0x80]), size >> 7
    return b"\x0a" + length + bytes([size]) + envelope + b"\x12\x02\x08\x01"


def test_the_wi_fi_door_answers_the_same_reads_and_keeps_its_own_refusals() -> None:
    """The two doors share one command table: the same system info either way; v1 still refuses with a 400."""
    c = v1r_client()
    din = din_of(c)
    basic = ("Tesla_Energy_Device", GW_PASSWORD)
    wifi = c.post("/tedapi/v1", content=_frame(system_info(din)), auth=basic)
    assert wifi.status_code == 200
    frame = signed_message_pb2.Message()  # Frame and Message share their numbers: 1 the envelope, 2 the tail
    frame.ParseFromString(wifi.content)
    over_wifi = transport_pb2.MessageEnvelope.FromString(frame.message.SerializeToString())
    over_lan = envelope_of(post(c, routable(private_key_pem(VERIFIED), din, system_info(din))))
    assert over_wifi.common.get_system_info_response == over_lan.common.get_system_info_response
    envelope = command(din)
    envelope.wc.SetInParent()
    assert c.post("/tedapi/v1", content=_frame(envelope.SerializeToString()), auth=basic).status_code == 400


def test_a_public_key_pem_is_as_good_as_the_private_one() -> None:
    c = v1r_client(authorized_keys=(public_key_pem(private_key_pem(VERIFIED)),))
    din = din_of(c)
    assert envelope_of(post(c, routable(private_key_pem(VERIFIED), din, system_info(din)))).HasField("common")


def test_the_din_answers_a_customer_sessions_bearer_from_a_json_or_a_form_login_as_well_as_basic() -> None:
    c = v1r_client()
    password = GW_PASSWORD[-5:]  # a Powerwall 3's customer password: the sticker's last five characters
    by_json = c.post(  # what both v1r clients send
        "/api/login/Basic",
        json={
            "username": "customer",
            "password": password,
            "email": "customer@customer.domain",
            "clientInfo": {"timezone": "America/Chicago"},
        },
    )
    by_form = c.post(  # pypowerwall's native-API login
        "/api/login/Basic",
        data={"username": "customer", "password": password, "email": "nobody@nowhere.com", "clientInfo": "timezone"},
    )
    din = din_of(c)
    for login in (by_json, by_form):
        assert login.status_code == 200, login.text
        bearer = {"authorization": f"Bearer {login.json()['token']}"}
        answer = c.get("/tedapi/din", headers=bearer)
        assert answer.status_code == 200 and answer.text == din
    c.cookies.clear()
    forged = c.get("/tedapi/din", headers={"authorization": "Bearer never-issued"})
    assert forged.status_code == 401 and forged.json()["error"] == "Token Expired"
    bare = c.get("/tedapi/din")
    assert bare.status_code == 401 and bare.headers["www-authenticate"].startswith("Basic")


def test_a_bearer_opens_no_din_where_the_facts_say_basic_only() -> None:
    c = v1r_client("24.4.0")
    token = c.post(
        "/api/login/Basic",
        json={"username": "customer", "password": c.get("/_emulator/credentials").json()["password"]},
    )
    assert token.status_code == 200
    c.cookies.clear()
    refused = c.get("/tedapi/din", headers={"authorization": f"Bearer {token.json()['token']}"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
