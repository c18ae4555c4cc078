"""TEDAPI v1r's writes on the wire: what each command checks before the gateway changes, and the refusals.

The clients' own use of them (and that each change shows in the model at once) is
tests/clients/test_tedapi_v1r_writes.py; here, what a client library would never send: a stale hash, a
document that is not JSON, values out of range, commands the Wi-Fi door must not take. Each refusal is a
``common.error_response`` with a google.rpc code inside a 200, and changes nothing.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient
from tesla_protocol.energy_device import filestore_api_pb2, teg_api_pb2, transport_pb2

from emulator.testing.keys import private_key_pem
from tests.support.v1r_messages import command, config_read, envelope_of, routable
from tests.support.v1r_site import GW_PASSWORD, din_of, v1r_client

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
KEY = 0
INVALID_ARGUMENT, NOT_FOUND, ABORTED, FAILED_PRECONDITION = 3, 5, 10, 9


@pytest.fixture
def site() -> TestClient:
    return v1r_client()


def send(c: TestClient, envelope: transport_pb2.MessageEnvelope | bytes) -> transport_pb2.MessageEnvelope:
    body = envelope if isinstance(envelope, bytes) else envelope.SerializeToString()
    reply = c.post("/tedapi/v1r", content=routable(private_key_pem(KEY), din_of(c), body))
    assert reply.status_code == 200, reply.text
    return envelope_of(reply.content)


def read_config(c: TestClient) -> tuple[dict, bytes]:
    content = send(c, config_read(din_of(c))).filestore.read_file_response
    return json.loads(content.file.blob), content.hash


def update(c: TestClient, document: object, hash_: bytes, raw: bytes | None = None) -> transport_pb2.MessageEnvelope:
    envelope = command(din_of(c))
    request = envelope.filestore.update_file_request
    request.domain = filestore_api_pb2.FILE_STORE_API_DOMAIN_CONFIG_JSON
    request.file.name = "config.json"
    request.file.blob = raw if raw is not None else json.dumps(document).encode()
    request.hash = hash_
    return send(c, envelope)


def error_code(reply: transport_pb2.MessageEnvelope) -> int:
    assert reply.common.HasField("error_response"), reply
    return reply.common.error_response.status.code


def unchanged(c: TestClient) -> tuple[object, object]:
    return c.get("/_emulator/state").json(), read_config(c)


def test_a_write_with_the_hash_just_read_applies_and_answers_the_new_file_and_hash(site: TestClient) -> None:
    config, hash_ = read_config(site)
    config["site_info"]["backup_reserve_percent"] = 62.0
    config["strategy"] = {"TOU_mode": "economic"}
    answer = update(site, config, hash_).filestore.update_file_response
    written = json.loads(answer.file.blob)
    assert written["site_info"]["backup_reserve_percent"] == 62.0 and written["strategy"] == {"TOU_mode": "economic"}
    assert (written, answer.hash) == read_config(site)
    assert answer.hash != hash_
    assert site.get("/_emulator/state").json()["operation"]["backup_reserve_percent"] == 62.0


def test_a_stale_hash_is_refused_and_the_later_writer_must_read_again(site: TestClient) -> None:
    config, hash_ = read_config(site)
    first = dict(config, default_real_mode="backup")
    assert update(site, first, hash_).filestore.HasField("update_file_response")
    before = unchanged(site)
    second = dict(config, default_real_mode="autonomous")
    assert error_code(update(site, second, hash_)) == ABORTED
    assert error_code(update(site, second, b"")) == ABORTED  # no hash is no lock
    assert unchanged(site) == before


def test_keys_set_to_false_are_dropped_and_storm_mode_is_acknowledged_not_kept(site: TestClient) -> None:
    config, hash_ = read_config(site)
    config["site_info"]["disallow_charge_from_grid_with_solar_installed"] = True
    config["storm_mode_enabled"] = True
    config["my_flag"] = False
    written = json.loads(update(site, config, hash_).filestore.update_file_response.file.blob)
    assert written["site_info"]["disallow_charge_from_grid_with_solar_installed"] is True
    assert "storm_mode_enabled" not in written and "my_flag" not in written
    assert site.get("/_emulator/state").json()["site_controls"]["grid_charging"] is False
    config, hash_ = read_config(site)
    config["site_info"]["disallow_charge_from_grid_with_solar_installed"] = False
    written = json.loads(update(site, config, hash_).filestore.update_file_response.file.blob)
    assert "disallow_charge_from_grid_with_solar_installed" not in written["site_info"]
    assert site.get("/_emulator/state").json()["site_controls"]["grid_charging"] is True


def test_the_hardware_keys_are_the_gateways_own(site: TestClient) -> None:
    config, hash_ = read_config(site)
    original = config["vin"], config["battery_blocks"]
    config["vin"], config["battery_blocks"] = "1707000-11-J--TGFORGED0000", []
    written = json.loads(update(site, config, hash_).filestore.update_file_response.file.blob)
    assert (written["vin"], written["battery_blocks"]) == original


@pytest.mark.parametrize(
    ("change", "raw"),
    [
        ({"default_real_mode": "turbo"}, None),
        ({"default_real_mode": 3}, None),
        ({"site_info": {"backup_reserve_percent": 101}}, None),
        ({"site_info": {"backup_reserve_percent": "20"}}, None),
        ({"site_info": {"backup_reserve_percent": True}}, None),
        ({"site_info": {"customer_preferred_export_rule": "sometimes"}}, None),
        ({"site_info": {"max_site_meter_power_ac": -1}}, None),
        ({"site_info": {"min_site_meter_power_ac": 5}}, None),
        ({"site_info": {"disallow_charge_from_grid_with_solar_installed": "yes"}}, None),
        ({"site_info": {"site_name": ""}}, None),
        ({"site_info": "flat"}, None),
        (None, b"[1, 2]"),
        (None, b"{not json"),
        (None, b"\xff\xfe"),
        (None, b"[" * 200 + b"]" * 200),
        (None, b'{"a": NaN}'),
    ],
)
def test_a_bad_document_is_invalid_argument_and_changes_nothing(
    site: TestClient, change: dict | None, raw: bytes | None
) -> None:
    config, hash_ = read_config(site)
    if change is not None:
        for key, value in change.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
    before = unchanged(site)
    assert error_code(update(site, config, hash_, raw)) == INVALID_ARGUMENT
    assert unchanged(site) == before


def test_another_file_is_not_found(site: TestClient) -> None:
    _, hash_ = read_config(site)
    envelope = command(din_of(site))
    envelope.filestore.update_file_request.domain = filestore_api_pb2.FILE_STORE_API_DOMAIN_GRID_CODE_REGIONS_CSV
    envelope.filestore.update_file_request.file.name = "grid_code_regions.csv"
    envelope.filestore.update_file_request.hash = hash_
    assert error_code(send(site, envelope)) == NOT_FOUND


def _teg(c: TestClient) -> transport_pb2.MessageEnvelope:
    return command(din_of(c))


Envelope = transport_pb2.MessageEnvelope


def _dispatch(power_w: float, duration_s: int) -> Callable[[Envelope], None]:
    def build(e: Envelope) -> None:
        e.teg.dispatch_battery_power_request.real_power.power_watts = power_w
        e.teg.dispatch_battery_power_request.real_power.duration_seconds = duration_s

    return build


def _nothing_to_dispatch(e: Envelope) -> None:
    e.teg.dispatch_battery_power_request.SetInParent()  # neither a power nor a resume


def _island_mode_pq(e: Envelope) -> None:
    e.teg.set_island_mode_request.mode = teg_api_pb2.TEG_ISLAND_MODE_PQ


def _calibration_delay(hours: int) -> Callable[[Envelope], None]:
    def build(e: Envelope) -> None:
        e.teg.delay_battery_calibration_request.delay_hours = hours

    return build


def _backup(start_s: int, duration_s: int) -> Callable[[Envelope], None]:
    def build(e: Envelope) -> None:
        info = e.teg.schedule_manual_backup_event_request.scheduling_info
        info.start_time.seconds, info.duration_seconds = start_s, duration_s

    return build


def _add_a_key_that_is_no_key(e: Envelope) -> None:
    e.authorization.add_authorized_client_request.public_key = b"\x30 not a key"


OUT_OF_RANGE: dict[str, Callable[[Envelope], None]] = {
    "dispatch 0 s": _dispatch(-100.0, 0),
    "dispatch over a day": _dispatch(-100.0, 86_401),
    "dispatch NaN W": _dispatch(float("nan"), 10),
    "dispatch of nothing": _nothing_to_dispatch,
    "island mode 4": _island_mode_pq,
    "calibration delay 0 h": _calibration_delay(0),
    "calibration delay 2^32-1 h": _calibration_delay(2**32 - 1),
    "backup of 0 s": _backup(int(time.time()), 0),
    "backup starting in 1970": _backup(0, 60),
    "add a key that is no key": _add_a_key_that_is_no_key,
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_a_command_out_of_range_is_invalid_argument_and_changes_nothing(site: TestClient, case: str) -> None:
    envelope = _teg(site)
    OUT_OF_RANGE[case](envelope)
    before = unchanged(site), site.get("/_emulator/authorized_clients").json()
    assert error_code(send(site, envelope)) == INVALID_ARGUMENT
    assert (unchanged(site), site.get("/_emulator/authorized_clients").json()) == before


def test_a_second_backup_event_needs_the_first_cancelled_and_cancelling_nothing_is_acknowledged(
    site: TestClient,
) -> None:
    def schedule() -> transport_pb2.MessageEnvelope:
        envelope = _teg(site)
        info = envelope.teg.schedule_manual_backup_event_request.scheduling_info
        info.start_time.seconds, info.duration_seconds, info.priority = int(time.time()), 600, 2**64 - 1
        return send(site, envelope)

    def cancel() -> transport_pb2.MessageEnvelope:
        envelope = _teg(site)
        envelope.teg.cancel_manual_backup_event_request.SetInParent()
        return send(site, envelope)

    assert cancel().teg.HasField("cancel_manual_backup_event_response")  # nothing scheduled: still an ack
    assert schedule().teg.HasField("schedule_manual_backup_event_response")
    assert error_code(schedule()) == FAILED_PRECONDITION
    assert cancel().teg.HasField("cancel_manual_backup_event_response")
    assert schedule().teg.HasField("schedule_manual_backup_event_response")


def test_calibration_delays_run_out(site: TestClient) -> None:
    for left in (2, 1, 0):
        envelope = _teg(site)
        envelope.teg.delay_battery_calibration_request.delay_hours = 1
        assert send(site, envelope).teg.HasField("delay_battery_calibration_response")
        assert site.get("/_emulator/state").json()["site_controls"]["calibration"]["delays_left"] == left
    envelope = _teg(site)
    envelope.teg.delay_battery_calibration_request.delay_hours = 1
    assert error_code(send(site, envelope)) == FAILED_PRECONDITION


def test_off_grid_is_refused_with_low_energy_when_the_batteries_are_empty(site: TestClient) -> None:
    site.patch("/_emulator/state", json={"soe_pct": 4})
    envelope = _teg(site)
    request = envelope.teg.set_island_mode_request
    request.mode, request.force = teg_api_pb2.TEG_ISLAND_MODE_INTENTIONAL_WITH_RECONNECT_FAILSAFE, True
    answer = send(site, envelope)
    assert answer.teg.set_island_mode_response.result == 4  # REJECTED_LOW_ENERGY
    site.post("/_emulator/clock", json={"advance_s": 5})
    assert site.get("/_emulator/state").json()["grid"]["connected"] is True


def _frame(envelope: bytes) -> bytes:
    size, length = len(envelope), b""
    while size >= 0x80:
        length, size = length + bytes([size & 0x7F | 0x80]), size >> 7
    return b"\x0a" + length + bytes([size]) + envelope + b"\x12\x02\x08\x01"


def test_the_wi_fi_door_stays_read_only_but_lists_the_authorized_clients(site: TestClient) -> None:
    basic = ("Tesla_Energy_Device", GW_PASSWORD)
    config, hash_ = read_config(site)
    writes = []
    envelope = command(din_of(site))
    envelope.filestore.update_file_request.file.name = "config.json"
    envelope.filestore.update_file_request.file.blob = json.dumps(dict(config, default_real_mode="backup")).encode()
    envelope.filestore.update_file_request.hash = hash_
    writes.append(envelope)
    island = command(din_of(site))
    island.teg.set_island_mode_request.mode = teg_api_pb2.TEG_ISLAND_MODE_INTENTIONAL_WITH_RECONNECT_FAILSAFE
    writes.append(island)
    before = unchanged(site)
    for write in writes:
        assert site.post("/tedapi/v1", content=_frame(write.SerializeToString()), auth=basic).status_code == 400
    assert unchanged(site) == before
    listing = command(din_of(site))
    listing.authorization.list_authorized_clients_request.SetInParent()

    def listed() -> int:
        answer = site.post("/tedapi/v1", content=_frame(listing.SerializeToString()), auth=basic)
        assert answer.status_code == 200
        return answer.content.count(b"\x30\x82\x02\x0a")  # each RSA-4096 PKCS#1 key's DER header

    assert listed() == 1
    site.post("/_emulator/authorized_clients", json={"public_key": private_key_pem(1).decode()})
    assert listed() == 2  # the paused gateway's cached answers know the table changed
