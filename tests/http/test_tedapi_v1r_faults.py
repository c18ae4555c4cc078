"""TEDAPI v1r's faults through the control API: each rule checked when it is made, and what it does on the wire.

The four v1r kinds fire inside the signed door, after its own checks, on the requests they name; the HTTP
statuses are the plain ``status`` kind on /tedapi/v1r. Requests are built with tesla-protocol's classes
(aiopowerwall 0.8.0's wire definitions) and signed as the clients sign (tests/support/v1r_messages.py); the
clients' own reactions are tests/clients/test_tedapi_v1r_faults.py.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from starlette.testclient import TestClient
from tesla_protocol.energy_device import filestore_api_pb2, signed_message_pb2

from emulator import contract
from emulator.contract.v1r import FAULTS, PATH
from emulator.tedapi import fault_kinds
from emulator.tedapi.commands import registered
from emulator.tedapi.fault_kinds import command_names
from emulator.testing.keys import private_key_pem
from tests.support.v1r_messages import (
    NOT_VERIFIED,
    answer,
    command,
    config_read,
    envelope_of,
    fault_name,
    routable,
    system_info,
)
from tests.support.v1r_site import din_of, v1r_client

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
KEY, STRANGER, PENDING = 0, 1, 2  # key slots
V1R = PATH
UNIMPLEMENTED, ABORTED, PERMISSION_DENIED = 12, 10, 7


@pytest.fixture
def site() -> TestClient:
    return v1r_client()


def add(c: TestClient, **rule: Any) -> dict[str, Any]:
    response = c.post("/_emulator/faults", json={"path": V1R, **rule})
    assert response.status_code == 201, response.text
    added: dict[str, Any] = response.json()
    return added


def rules(c: TestClient) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = c.get("/_emulator/faults").json()["faults"]
    return listed


def post(c: TestClient, envelope: bytes, *, key: int = KEY, uuid: bytes | None = None) -> bytes:
    reply = c.post(V1R, content=routable(private_key_pem(key), din_of(c), envelope, uuid=uuid))
    assert reply.status_code == 200, reply.text
    return reply.content


def error_status(body: bytes) -> tuple[int, str]:
    reply = envelope_of(body)
    assert reply.common.HasField("error_response"), reply
    return reply.common.error_response.status.code, reply.common.error_response.status.message


def dispatch_request(din: str) -> bytes:
    request = command(din)
    request.teg.dispatch_battery_power_request.real_power.power_watts = -2000
    request.teg.dispatch_battery_power_request.real_power.duration_seconds = 60
    return request.SerializeToString()


def config_write(din: str, document: dict[str, Any], hash_: bytes) -> bytes:
    request = command(din)
    update = request.filestore.update_file_request
    update.domain = filestore_api_pb2.FILE_STORE_API_DOMAIN_CONFIG_JSON
    update.file.name = "config.json"
    update.file.blob = json.dumps(document).encode()
    update.hash = hash_
    return request.SerializeToString()


def read_config(c: TestClient) -> tuple[dict[str, Any], bytes]:
    content = envelope_of(post(c, config_read(din_of(c)))).filestore.read_file_response
    return json.loads(content.file.blob), content.hash


def journal_faults(c: TestClient) -> list[str | None]:
    return [entry["fault"] for entry in c.get("/_emulator/requests", params={"path": V1R}).json()["requests"]]


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"kind": "v1r_fault", "message_fault": "UNKNOWN_KEY"}, "'UNKNOWN_KEY' is not a MessageFault; known: BUSY"),
        ({"kind": "v1r_fault", "message_fault": "NONE"}, "NONE (0) is no fault"),
        ({"kind": "v1r_fault", "message_fault": "MESSAGEFAULT_ERROR_NONE"}, "NONE (0) is no fault"),
        ({"kind": "v1r_fault", "message_fault": 0}, "message_fault: 0 is less than the minimum of 1"),
        ({"kind": "v1r_fault", "message_fault": 23}, "message_fault: 23 is greater than the maximum of 22"),
        ({"kind": "v1r_fault", "message_fault": 2**64}, "is greater than the maximum of 22"),
        ({"kind": "v1r_fault", "message_fault": True}, "message_fault: True is not of type 'string', 'integer'"),
        ({"kind": "v1r_fault", "message_fault": "x" * 65}, "message_fault: 'xxxxx"),
        ({"kind": "v1r_fault"}, "'message_fault' is a required property"),
        ({"kind": "v1r_fault", "message_fault": "BUSY", "command": "reboot"}, "command 'reboot' is not one"),
        ({"kind": "v1r_unimplemented", "command": "dispatch_battery"}, "known: add_authorized_client, cancel_"),
        ({"kind": "v1r_unimplemented", "command": "dispatch_battery_power_request"}, "is not one the gateway answers"),
        ({"kind": "v1r_unimplemented"}, "'command' is a required property"),
        (
            {"kind": "v1r_stale_hash", "command": "update_file"},
            "'command' cannot be given here (kind 'v1r_stale_hash')",
        ),
        ({"kind": "status", "status": 503, "message_fault": "BUSY"}, "'message_fault' cannot be given here"),
        ({"kind": "status", "status": 503, "preset": "config_busy"}, "'status' and 'preset' cannot be given together"),
        ({"kind": "v1r_not_verified", "method": "GET"}, "acts on POST /tedapi/v1r: use method POST"),
        ({"kind": "v1r_not_verified", "preset": "config_busy"}, "preset"),
        ({"kind": "v1r_not_verified", "path": "/tedapi/*"}, "'/tedapi/*' hits /tedapi/din, /tedapi/v1"),
        ({"kind": "v1r_stale_hash", "path": "/api/meters/aggregates"}, "acts on POST /tedapi/v1r only"),
        ({"kind": "v1r_fault", "message_fault": "BUSY", "path": "*"}, "acts on POST /tedapi/v1r only"),
    ],
)
def test_a_rule_a_v1r_kind_cannot_serve_is_a_400_that_says_why_and_nothing_is_stored(
    site: TestClient, rule: dict[str, Any], says: str
) -> None:
    response = site.post("/_emulator/faults", json={"path": V1R, **rule})
    assert response.status_code == 400, response.text
    assert says in response.json()["message"], response.text
    assert rules(site) == []


def test_a_v1r_kind_on_a_firmware_without_v1r_is_a_400() -> None:
    with v1r_client("24.4.0") as old:
        response = old.post("/_emulator/faults", json={"path": V1R, "kind": "v1r_not_verified"})
        assert response.status_code == 400 and "matches no path this emulator serves" in response.json()["message"]


def test_the_command_names_are_the_dispatchers_and_the_fault_names_the_contracts(site: TestClient) -> None:
    """Every command the gateway answers and every MessageFault by name, number or tesla-protocol's name is taken."""
    assert fault_kinds.PATH == PATH  # kept as a string there, so serve loads no more of the contract at start
    assert len(set(command_names())) == len(registered())  # one name per command, whatever its payload
    numbers = contract.schema("control/fault.json")["properties"]["message_fault"]
    assert (numbers["minimum"], numbers["maximum"]) == (min(FAULTS.keys() - {0}), max(FAULTS))  # the schema's range
    for name in command_names():
        add(site, kind="v1r_unimplemented", command=name)
    for code, name in FAULTS.items():
        if code:
            add(site, kind="v1r_fault", message_fault=name)
            add(site, kind="v1r_fault", message_fault=code)
            add(site, kind="v1r_fault", message_fault=signed_message_pb2.MessageFault_E.Name(code))
    assert len(rules(site)) == len(command_names()) + 3 * (len(FAULTS) - 1)


@pytest.mark.parametrize("given", ["TIME_EXPIRED", "MESSAGEFAULT_ERROR_TIME_EXPIRED", "time_expired", 17])
def test_a_message_fault_answers_that_fault_with_the_uuid_echoed_and_changes_nothing(
    site: TestClient, given: str | int
) -> None:
    rule = add(site, kind="v1r_fault", message_fault=given)
    assert rule["message_fault"] == given and rule["kind"] == "v1r_fault"
    before = site.get("/_emulator/state").json()
    uuid = b"0123456789abcdef"
    body = post(site, dispatch_request(din_of(site)), uuid=uuid)
    assert fault_name(body) == "MESSAGEFAULT_ERROR_TIME_EXPIRED"
    assert answer(body).request_uuid == uuid and not answer(body).protobuf_message_as_bytes
    assert site.get("/_emulator/state").json() == before  # the dispatch never ran
    assert rules(site)[0]["hits"] == 1
    assert journal_faults(site) == [rule["id"]]


def test_a_rule_fires_only_on_requests_the_gateway_would_answer_and_counts_only_those(site: TestClient) -> None:
    """An unknown key, a pending key, a bad signature keep their own refusal and leave the rule's count alone."""
    rule = add(site, kind="v1r_fault", message_fault="INVALID_DOMAINS", count=1)
    din = din_of(site)
    assert fault_name(post(site, system_info(din), key=STRANGER)) == "MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID"
    site.post("/_emulator/authorized_clients", json={"public_key": private_key_pem(PENDING).decode()})
    assert NOT_VERIFIED in answer(post(site, system_info(din), key=PENDING)).protobuf_message_as_bytes
    assert rules(site)[0]["hits"] == 0 and rules(site)[0]["count"] == 1
    assert fault_name(post(site, system_info(din))) == "MESSAGEFAULT_ERROR_INVALID_DOMAINS"
    assert envelope_of(post(site, system_info(din))).common.get_system_info_response.din == din  # used up
    assert rules(site)[0]["hits"] == 1 and rules(site)[0]["count"] == 0
    assert journal_faults(site) == [None, None, rule["id"], None]


def test_a_message_fault_for_one_command_leaves_the_others_alone(site: TestClient) -> None:
    add(site, kind="v1r_fault", message_fault="BUSY", command="read_file")
    din = din_of(site)
    assert envelope_of(post(site, system_info(din))).common.HasField("get_system_info_response")
    assert fault_name(post(site, config_read(din))) == "MESSAGEFAULT_ERROR_BUSY"
    assert rules(site)[0]["hits"] == 1


def test_not_verified_answers_as_a_pending_key_is_answered(site: TestClient) -> None:
    add(site, kind="v1r_not_verified", count=1)
    din = din_of(site)
    body = post(site, config_read(din))
    assert NOT_VERIFIED in answer(body).protobuf_message_as_bytes
    assert error_status(body) == (PERMISSION_DENIED, "v1r: client authorization not verified")
    assert envelope_of(post(site, config_read(din))).filestore.HasField("read_file_response")


def test_unimplemented_refuses_the_named_command_only_and_nothing_changes(site: TestClient) -> None:
    rule = add(site, kind="v1r_unimplemented", command="dispatch_battery_power", method="POST")
    din = din_of(site)
    before = site.get("/_emulator/state").json()
    assert error_status(post(site, dispatch_request(din))) == (
        UNIMPLEMENTED,
        "teg.dispatch_battery_power_request is not implemented",
    )
    assert site.get("/_emulator/state").json() == before
    assert envelope_of(post(site, system_info(din))).common.HasField("get_system_info_response")
    calibration = command(din)
    calibration.teg.get_delay_battery_calibration_status_request.SetInParent()
    assert envelope_of(post(site, calibration.SerializeToString())).teg.HasField(
        "get_delay_battery_calibration_status_response"
    )
    assert rules(site)[0]["hits"] == 1
    assert journal_faults(site) == [rule["id"], None, None]
    site.delete(f"/_emulator/faults/{rule['id']}")
    assert envelope_of(post(site, dispatch_request(din))).teg.HasField("dispatch_battery_power_response")
    assert site.get("/_emulator/state").json()["site_controls"]["battery_setpoint"]["power_w"] == -2000


def test_a_stale_hash_refuses_the_next_config_write_as_a_stale_hash_is_and_only_that(site: TestClient) -> None:
    rule = add(site, kind="v1r_stale_hash", count=1)
    din = din_of(site)
    config, hash_ = read_config(site)  # a read is not a write: the rule waits
    assert rules(site)[0]["hits"] == 0
    before = site.get("/_emulator/state").json()
    code, message = error_status(post(site, config_write(din, dict(config, default_real_mode="backup"), hash_)))
    assert code == ABORTED and "changed since it was read" in message
    assert site.get("/_emulator/state").json() == before and read_config(site) == (config, hash_)
    taken = envelope_of(post(site, config_write(din, dict(config, default_real_mode="backup"), hash_)))
    assert taken.filestore.HasField("update_file_response")
    assert site.get("/_emulator/state").json()["operation"]["mode"] == "backup"
    assert journal_faults(site) == [None, rule["id"], None, None]  # read, write refused, read, write


def test_probability_and_windows_work_as_for_every_kind(site: TestClient) -> None:
    din = din_of(site)
    later = add(site, kind="v1r_not_verified", after_s=3600)  # not yet
    assert envelope_of(post(site, system_info(din))).common.HasField("get_system_info_response")
    assert rules(site)[0]["hits"] == 0
    site.delete(f"/_emulator/faults/{later['id']}")
    add(site, kind="v1r_fault", message_fault="BUSY", probability=0.5)
    faulted = [answer(post(site, system_info(din))).signed_message_status.message_fault != 0 for _ in range(12)]
    assert any(faulted) and not all(faulted)  # drawn from the gateway's seeded generator
    assert rules(site)[0]["hits"] == sum(faulted)


@pytest.mark.parametrize(
    ("rule", "status", "body"),
    [
        ({"preset": "token_expired"}, 401, "invalid_credentials"),
        ({"preset": "rate_limited"}, 429, "throttled"),
        ({"preset": "config_busy"}, 503, None),
        ({"status": 403, "body": {"code": 403, "error": "Forbidden", "message": "bad credentials"}}, 403, None),
    ],
)
def test_http_statuses_on_the_signed_door_are_the_status_kind(
    site: TestClient, rule: dict[str, Any], status: int, body: str | None
) -> None:
    added = add(site, kind="status", count=1, **rule)
    din = din_of(site)
    refused = site.post(V1R, content=routable(private_key_pem(KEY), din, system_info(din)))
    assert refused.status_code == status and refused.headers["content-type"] == "application/json"
    if body is not None:  # the served firmware's own text, as on its /api/ paths
        text = getattr(contract.facts_for("25.10.1"), body)
        assert refused.json() == text.body()
    else:
        assert refused.json()["code"] == status
    assert envelope_of(post(site, system_info(din))).common.HasField("get_system_info_response")
    assert journal_faults(site) == [added["id"], None]
