"""TEDAPI v1r answers changed on their way out, as a firmware bug would change them: each an edit of the envelope.

The gateway does what it is asked; what it says back is wrong, or what it did it takes back as it answers
(``tests/support/mutated_gateway.py`` applies the edit to every POST /tedapi/v1r answer, and each edit touches
only the answer it names):

* ``does not list a manual backup``: get_backup_events answers without the manual backup it holds;
* ``lists a manual backup on its own clock``: the start is the gateway's (simulated) clock, not the
  wall-clock time the client stamped;
* ``lists verified keys as pending``: every VERIFIED record of the key list reads PENDING_VERIFICATION;
* ``lists pending keys as verified``: every record of the key list not VERIFIED reads VERIFIED;
* ``does not answer backup events``: get_backup_events is answered with an empty envelope, no teg.50;
* ``counts more calibration delays than its maximum``: delays left = the maximum + 1;
* ``never counts a calibration delay``: delays left always reads the maximum, however many were spent;
* ``acks a black start and stays on the grid``: the black start is acknowledged, and the contactor it opened
  is closed again as the answer leaves (island mode 1, the reconnect, behind the client's back);
* ``has no calibration delay status`` -- not a fault: a Powerwall 3 on 26.26.4 answers the status
  UNIMPLEMENTED (code 12), which the suite must take as "not supported", not fail on.
"""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf.message import DecodeError

from emulator.device import commands
from emulator.device.gateway import Gateway
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r

BACKUP_UNLISTED = "does not list a manual backup"
BACKUP_ON_ITS_CLOCK = "lists a manual backup on its own clock"
KEYS_PENDING = "lists verified keys as pending"
KEYS_VERIFIED = "lists pending keys as verified"
EVENTS_UNANSWERED = "does not answer backup events"
CALIBRATION_OVER = "counts more calibration delays than its maximum"
CALIBRATION_UNIMPLEMENTED = "has no calibration delay status"
CALIBRATION_UNCOUNTED = "never counts a calibration delay"
BLACK_START_UNDONE = "acks a black start and stays on the grid"
VERIFIED, PENDING, UNIMPLEMENTED = 3, 1, 12


def edit(kind: str, body: bytes, gateway: Gateway) -> bytes:
    """The answer ``body`` as the mutant ``kind`` says it."""
    message = v1r.RoutableMessage()
    envelope = pb.Envelope()
    try:
        message.ParseFromString(body)
        envelope.ParseFromString(message.protobuf_message_as_bytes)
    except DecodeError:
        return body
    _EDITS[kind](envelope, gateway)
    message.protobuf_message_as_bytes = envelope.SerializeToString()
    data: bytes = message.SerializeToString()
    return data


def _answers(envelope: pb.Envelope, payload: str, member: str) -> bool:
    return envelope.WhichOneof("payload") == payload and getattr(envelope, payload).WhichOneof("message") == member


def _unlisted(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "teg", "get_backup_events_response"):
        envelope.teg.get_backup_events_response.ClearField("manual_backup_event")


def _on_its_clock(envelope: pb.Envelope, gateway: Gateway) -> None:
    event = gateway.snapshot().site_controls.backup_event
    if _answers(envelope, "teg", "get_backup_events_response") and event is not None:
        info = envelope.teg.get_backup_events_response.manual_backup_event.scheduling_info
        info.start_time.seconds = int(event.start)


def _pending(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "authorization", "list_authorized_clients_response"):
        for record in envelope.authorization.list_authorized_clients_response.clients:
            if record.state == VERIFIED:
                record.state = PENDING


def _verified(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "authorization", "list_authorized_clients_response"):
        for record in envelope.authorization.list_authorized_clients_response.clients:
            record.state = VERIFIED


def _events_unanswered(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "teg", "get_backup_events_response"):
        envelope.ClearField("teg")


def _over(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "teg", "get_delay_battery_calibration_status_response"):
        status = envelope.teg.get_delay_battery_calibration_status_response
        status.calibration_delays_left = status.max_calibration_delays + 1


def _uncounted(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "teg", "get_delay_battery_calibration_status_response"):
        status = envelope.teg.get_delay_battery_calibration_status_response
        status.calibration_delays_left = status.max_calibration_delays


def _black_start_undone(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "teg", "trigger_islanding_black_start_response"):
        commands.request_island(gateway, False)


def _unimplemented(envelope: pb.Envelope, gateway: Gateway) -> None:
    if _answers(envelope, "teg", "get_delay_battery_calibration_status_response"):
        envelope.ClearField("teg")
        envelope.common.error_response.status.code = UNIMPLEMENTED
        envelope.common.error_response.status.message = "not implemented"


_EDITS: dict[str, Callable[[pb.Envelope, Gateway], None]] = {
    BACKUP_UNLISTED: _unlisted,
    BACKUP_ON_ITS_CLOCK: _on_its_clock,
    KEYS_PENDING: _pending,
    KEYS_VERIFIED: _verified,
    EVENTS_UNANSWERED: _events_unanswered,
    CALIBRATION_OVER: _over,
    CALIBRATION_UNIMPLEMENTED: _unimplemented,
    CALIBRATION_UNCOUNTED: _uncounted,
    BLACK_START_UNDONE: _black_start_undone,
}
