"""TEDAPI v1r (POST /tedapi/v1r): signed reads answered, and every request that is not rightly signed refused.

Runs where the firmware facts serve v1r (a Powerwall 3 on 25.10.1) and the run has the owner's registered,
verified key (``verify --rsa-key PEM``, ``pytest --gateway-rsa-key``; the emulator: a key it starts with).
In the read tier every request only reads -- the system information, config.json, the status and a Powerwall
3's components -- or is one the gateway refuses before it reads the envelope; with ``--allow-writes``,
config.json is written under its hash lock and restored. What a gateway must do comes from the issue's
contract and ../shared/research/tedapi-v1r.md (section 4): each refused request below differs from a good one
in one thing only, so the fault it gets names that thing whatever order a gateway checks in.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from contract_tests import tedapi, v1r
from contract_tests.spec import body_problems
from contract_tests.target import Target
from emulator.contract.signed_query import components_queries, status_query
from emulator.contract.v1r import SigningKey, new_signing_key, new_uuid, signed_message

REPORT_AREA = "TEDAPI v1r"
pytestmark = pytest.mark.serves("POST /tedapi/v1r")
EXPIRED_S = 300  # well past any clock skew: the clients sign for 12 s
TOO_FAR_S = 86_400  # a day ahead: no client signs so long


# -- the reads ----------------------------------------------------------------------------------
def test_v1r_system_info_names_the_firmware(target: Target, key: SigningKey, din: str) -> None:
    envelope = v1r.answered(target, v1r.request(key, din, tedapi.system_info_body()), "system information")
    version = tedapi.firmware_version(envelope, framed=False)
    assert version.split()[0] == target.version.split()[0], (
        f"TEDAPI v1r reports firmware {version!r}, the suite identified {target.version!r}"
    )


def test_v1r_config_json_matches_its_schema_and_carries_its_hash(target: Target, key: SigningKey, din: str) -> None:
    body = v1r.request(key, din, tedapi.config_body(), command=True)
    envelope = v1r.answered(target, body, "config.json read")
    problems = body_problems(
        "TEDAPI v1r config.json", "tedapi/config.json", tedapi.config_document(envelope, framed=False)
    )
    assert not problems, "\n".join(problems)
    digest = tedapi.path(envelope, tedapi.FILE, 2, 2)
    assert digest, "the config.json read carries no hash (field 15.2.2), the lock a write sends back"


def test_v1r_status_query_matches_its_schema(target: Target, key: SigningKey, din: str) -> None:
    query = status_query()
    if query is None:
        pytest.skip("the status query must carry Tesla's signature: install pypowerwall==0.22.2, which ships it")
    envelope = v1r.answered(target, v1r.request(key, din, tedapi.query_body(query)), "DeviceControllerQuery")
    data = tedapi.query_data(envelope, framed=False)
    problems = body_problems("TEDAPI v1r DeviceControllerQuery", "tedapi/device_controller.json", data)
    assert not problems, "\n".join(problems)
    assert isinstance(data, dict) and isinstance(data.get("control"), dict), f"no control section: {data}"
    aggregates = data["control"].get("meterAggregates")
    assert isinstance(aggregates, list) and aggregates, "the status has no meter aggregates"


def test_v1r_components_query_matches_its_schema(target: Target, key: SigningKey, din: str) -> None:
    """A Powerwall 3's own components, in both of pypowerwall's wordings; the leader answers for the site."""
    queries = components_queries()
    if not queries:
        pytest.skip("the components queries must carry Tesla's signature: install pypowerwall==0.22.2")
    for query in queries:
        name = query.text.split("(")[0].split("{")[0].strip()
        envelope = v1r.answered(target, v1r.request(key, din, tedapi.query_body(query)), name)
        data = tedapi.query_data(envelope, framed=False)
        problems = body_problems(f"TEDAPI v1r {name}", "tedapi/device_controller.json", data)
        assert not problems, "\n".join(problems)
        components = data.get("components") if isinstance(data, dict) else None
        assert isinstance(components, dict) and any(components.values()), f"{name}: no components: {data}"


def test_v1r_accepts_a_uuid_as_text(target: Target, key: SigningKey, din: str) -> None:
    """pypowerwall sends the uuid as its 36 characters, aiopowerwall as 16 bytes (the reads above)."""
    body = v1r.request(key, din, tedapi.system_info_body(), uuid=new_uuid(text=True))
    assert tedapi.firmware_version(v1r.answered(target, body, "a text uuid"), framed=False)


# -- what is refused ------------------------------------------------------------------------------
def test_v1r_refuses_a_message_without_an_envelope(target: Target, key: SigningKey, din: str) -> None:
    v1r.refused_with(target, b"\xff" * 16, {"DECODING"}, "a body that is not protobuf")
    body = signed_message(key, din, None)
    v1r.refused_with(target, body, {"DECODING"}, "a signed RoutableMessage without an envelope (field 10)")


def test_v1r_refuses_another_domain(target: Target, key: SigningKey, din: str) -> None:
    body = v1r.request(key, din, tedapi.system_info_body(), domain=2)
    v1r.refused_with(target, body, {"INVALID_DOMAINS"}, "a request to domain 2 (vehicle security)")


def test_v1r_refuses_a_request_without_rsa_signature_data(target: Target, key: SigningKey, din: str) -> None:
    body = v1r.request(key, din, tedapi.system_info_body(), rsa_data=False)
    v1r.refused_with(target, body, {"BAD_PARAMETER"}, "a request without RSA signature data")


def test_v1r_refuses_an_unknown_key(target: Target, key: SigningKey, din: str) -> None:
    stranger = new_signing_key()
    body = v1r.request(stranger, din, tedapi.system_info_body())
    v1r.refused_with(target, body, {"UNKNOWN_KEY_ID"}, "a request signed by a key the gateway never registered")


def test_v1r_refuses_a_bad_signature(target: Target, key: SigningKey, din: str) -> None:
    signature = _signature(v1r.request(key, din, tedapi.system_info_body()))
    forged = signature[:-1] + bytes([signature[-1] ^ 0x01])
    body = v1r.request(key, din, tedapi.system_info_body(), signature=forged)
    v1r.refused_with(target, body, {"INVALID_SIGNATURE"}, "a request whose signature has one bit flipped")


def test_v1r_refuses_an_expired_request(target: Target, key: SigningKey, din: str) -> None:
    body = v1r.request(key, din, tedapi.system_info_body(), expires_at=int(time.time()) - EXPIRED_S)
    v1r.refused_with(target, body, {"TIME_EXPIRED"}, f"a request that expired {EXPIRED_S} s ago")


def test_v1r_refuses_an_expiry_too_far_ahead(target: Target, key: SigningKey, din: str) -> None:
    body = v1r.request(key, din, tedapi.system_info_body(), expires_at=int(time.time()) + TOO_FAR_S)
    v1r.refused_with(target, body, {"TIME_TO_LIVE_TOO_LONG"}, "a request signed to expire a day from now")


def test_v1r_refuses_a_signature_for_another_din(target: Target, key: SigningKey, din: str) -> None:
    """Signed (and addressed) for another gateway: the personalization must be this gateway's DIN. A DIN of
    another device of the site is WRONG_PERSONALIZATION; one the gateway cannot place may be either fault."""
    other = din[:-1] + ("0" if din[-1] != "0" else "1")
    body = v1r.request(key, other, tedapi.system_info_body(), to=other)
    v1r.refused_with(
        target, body, {"WRONG_PERSONALIZATION", "INVALID_SIGNATURE"}, f"a request signed for DIN {other}, not {din}"
    )


def test_v1r_answers_an_unverified_key_not_verified(target: Target, unverified: SigningKey, din: str) -> None:
    """A registered key before its presence proof (or after its window passed): 200, and no data."""
    answer = v1r.post(target, v1r.request(unverified, din, tedapi.system_info_body()))
    assert answer.not_verified, (
        f"a request signed by a key the gateway has not verified was answered {answer.describe()},"
        " not 'client authorization not verified'"
    )


# -- config.json written (--allow-writes) ----------------------------------------------------------
# A client reads config.json with its hash, changes keys and sends the whole document back with that hash
# (aiopowerwall's write_config, pypowerwall's _write_config). What a gateway must do (research section 8.3):
# take the write and show it on the next read; refuse a hash that is not the file's own (someone wrote in
# between) and change nothing; drop a key written false. The reserve is written on the gateway's raw scale, as
# both clients write it. Each test registers the original document's restore before it writes, so a failure
# or an interrupted run still puts it back.
RESERVE = "backup_reserve_percent"  # in site_info, on the raw scale (user % * 0.95 + 5)


def read(target: Target, key: SigningKey, din: str) -> tuple[dict[str, Any], bytes]:
    """config.json as a document, and the hash a write must send back."""
    envelope = v1r.answered(target, v1r.request(key, din, tedapi.config_body(), command=True), "config.json read")
    blob, lock = tedapi.config_file(envelope)
    document = json.loads(blob)
    assert isinstance(document, dict) and isinstance(document.get("site_info"), dict), "config.json has no site_info"
    assert lock, "the config.json read carries no hash (field 15.2.2), the lock a write sends back"
    return document, lock


def write(target: Target, key: SigningKey, din: str, document: dict[str, Any], lock: bytes) -> bytes:
    """The envelope answering a write of ``document`` under ``lock``."""
    blob = json.dumps(document).encode("utf-8")  # as the clients send it back: the whole document re-serialized
    body = v1r.request(key, din, tedapi.config_update_body(blob, lock), command=True)
    return v1r.answered(target, body, "config.json write")


@pytest.fixture
def original(target: Target, key: SigningKey, din: str) -> dict[str, Any]:
    """config.json before the test; written back at the end (under the hash current then), whatever happened."""
    document, _ = read(target, key, din)

    def restore() -> None:
        _, lock = read(target, key, din)
        refused = tedapi.command_error(write(target, key, din, document, lock))
        assert refused is None, f"config.json could not be written back: {refused}"

    target.remember(f"config.json (reserve {document['site_info'].get(RESERVE)})", restore)
    return document


def _other_reserve(document: dict[str, Any]) -> float:
    reserve = float(document["site_info"].get(RESERVE, 20.0))
    return reserve + 5 if reserve <= 90 else reserve - 5


@pytest.mark.writes
def test_v1r_config_write_is_read_back_and_restored(
    target: Target, key: SigningKey, din: str, original: dict[str, Any]
) -> None:
    document, lock = read(target, key, din)
    new = _other_reserve(document)
    answer = write(target, key, din, {**document, "site_info": {**document["site_info"], RESERVE: new}}, lock)
    refused = tedapi.command_error(answer)
    assert refused is None, f"a config.json write with the hash just read was refused: {refused}"
    after, after_lock = read(target, key, din)
    assert abs(float(after["site_info"].get(RESERVE, -1)) - new) < 0.01, (
        f"config.json reads site_info.{RESERVE} {after['site_info'].get(RESERVE)} after writing {new}"
    )
    assert after_lock != lock, "config.json changed and its hash did not"
    assert target.restore_all() == []
    restored, _ = read(target, key, din)
    assert restored["site_info"].get(RESERVE) == original["site_info"].get(RESERVE)


@pytest.mark.writes
def test_v1r_config_write_with_a_stale_hash_is_refused_and_changes_nothing(
    target: Target, key: SigningKey, din: str, original: dict[str, Any]
) -> None:
    document, lock = read(target, key, din)
    stale = lock[:-1] + bytes([lock[-1] ^ 0x01])  # not the hash of the file as it is now
    changed = {**document, "site_info": {**document["site_info"], RESERVE: _other_reserve(document)}}
    refused = tedapi.command_error(write(target, key, din, changed, stale))
    assert refused is not None, "a config.json write with a stale hash was taken, not refused (common.error_response)"
    after, after_lock = read(target, key, din)
    assert after_lock == lock and after["site_info"].get(RESERVE) == document["site_info"].get(RESERVE), (
        f"a refused config.json write changed it: site_info.{RESERVE} {document['site_info'].get(RESERVE)} -> "
        f"{after['site_info'].get(RESERVE)}"
    )


@pytest.mark.writes
def test_v1r_config_write_drops_a_key_written_false(
    target: Target, key: SigningKey, din: str, original: dict[str, Any]
) -> None:
    """The gateway keeps ``on_grid_solar_curtailment_enabled`` only while true (aiopowerwall's README, on a PW3)."""
    document, lock = read(target, key, din)
    flag = "on_grid_solar_curtailment_enabled"
    written = {**document, "site_info": {**document["site_info"], flag: False}}
    refused = tedapi.command_error(write(target, key, din, written, lock))
    assert refused is None, f"a config.json write with the hash just read was refused: {refused}"
    after, _ = read(target, key, din)
    assert flag not in after["site_info"], f"site_info.{flag} written false reads back as {after['site_info'][flag]!r}"


def _signature(body: bytes) -> bytes:
    """The signature a signed RoutableMessage carries (field 13.7.2)."""
    signature = tedapi.fields(tedapi.path(body, 13, 7))[2][-1]
    assert isinstance(signature, bytes)
    return signature
