"""The TEDAPI in recordings: the read-only requests the recorder sends, and how a replay matches a request.

A POST /tedapi/v1 answer depends on what was asked, so a recording names each
answer's request with a short key ("system info", "file config.json", "query
DeviceControllerQuery") and a replay answers a request with the latest answer
of the same key. Keys name the kind of request, not its bytes: a client that
words the same query differently (pypowerwall's two protobuf API versions)
still gets the recorded answer.

A Powerwall 3 also answers queries about itself (its inverter's PV strings,
its packs' energy and temperatures): ComponentsQuery, or PW3Query in
pypowerwall's newer wording. Each Powerwall 3 that config.json lists answers
for itself, so those answers also name the device they came from, and a replay
answers only a query for the same device.

A query must carry Tesla's signature of its text, which only Tesla can make:
the recorder sends the pre-signed queries that pypowerwall ships as data
(the DeviceControllerQuery, and both wordings of the components query), when
pypowerwall is installed; without it, it records the DIN, the system
information and config.json.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from emulator.contract.signed_query import SignedQuery, components_queries, status_query
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb

USERNAME = "Tesla_Energy_Device"
SYSTEM_INFO = "system info"
CONFIG = "file config.json"
_OPERATION = re.compile(rb"^\s*query\s+([A-Za-z_][A-Za-z0-9_]*)")
DIN = re.compile(r"[0-9A-Za-z-]{1,40}--[0-9A-Za-z]{1,40}")  # part number -- serial, as schemas/recording says
POWERWALL3 = "Powerwall3"  # a config.json battery block's type when the block is a Powerwall 3 (not a PW2's "acpw")


@dataclass(frozen=True)
class Read:
    """One TEDAPI POST the recorder polls: the kind of request, where it goes, and (per device) whom it asks.

    At /tedapi/v1r ``body`` is the bare envelope, signed afresh each time it is sent (a signature lives 12 s).
    """

    key: str
    body: bytes
    path: str = "/tedapi/v1"
    device: str | None = None  # the DIN of the Powerwall a per-device query asks; None: the gateway itself


def basic_auth(gw_password: str) -> dict[str, str]:
    token = base64.b64encode(f"{USERNAME}:{gw_password}".encode()).decode("ascii")
    return {"authorization": f"Basic {token}"}


def request_key(body: bytes) -> str | None:
    """The kind of TEDAPI request ``body`` (a Frame) is, or None when it is not one a recording can hold."""
    frame = pb.Frame()
    try:
        frame.ParseFromString(body)
    except DecodeError:
        return None
    return envelope_key(frame.envelope)


def envelope_key(envelope: pb.Envelope) -> str | None:
    """The kind of request an envelope carries (both doors carry the same one), or None."""
    kind = envelope.WhichOneof("payload")
    if kind == "common" and envelope.common.WhichOneof("message") == "get_system_info_request":
        return SYSTEM_INFO
    if kind == "filestore" and envelope.filestore.WhichOneof("message") == "read_file_request":
        return f"file {envelope.filestore.read_file_request.name or 'config.json'}"
    if kind == "graphql" and envelope.graphql.WhichOneof("message") == "query_request":
        signed = pb.SignedGraphQLQuery()
        try:
            signed.ParseFromString(envelope.graphql.query_request.query)
        except DecodeError:
            return None
        match = _OPERATION.match(signed.query)
        return f"query {match.group(1).decode('ascii')}" if match else None
    return None


def request_device(body: bytes, path_din: str | None = None) -> str | None:
    """The DIN a request addresses: the /tedapi/device/{din}/v1 path's, else the envelope's recipient."""
    if path_din:
        return path_din
    frame = pb.Frame()
    try:
        frame.ParseFromString(body)
    except DecodeError:
        return None
    recipient = frame.envelope.recipient
    return recipient.din or None if recipient.WhichOneof("id") == "din" else None


def _frame(din: str, sender: str | None = None) -> pb.Frame:
    """An envelope to ``din``: from the local installer, or routed through the ``sender`` gateway (tail 2),
    as pypowerwall addresses a follower Powerwall 3."""
    frame = pb.Frame(tail=pb.Tail(value=2 if sender else 1))
    frame.envelope.delivery_channel = 1
    if sender:
        frame.envelope.sender.din = sender
    else:
        frame.envelope.sender.local = 1
    frame.envelope.recipient.din = din
    return frame


def _query(frame: pb.Frame, query: SignedQuery) -> bytes:
    ask_query(frame.envelope, query)
    body: bytes = frame.SerializeToString()
    return body


def ask_query(envelope: pb.Envelope, query: SignedQuery) -> None:
    """Make ``envelope`` ask ``query``, as pypowerwall words it (its signed message, else built from the text)."""
    request = envelope.graphql.query_request
    request.format = 2
    request.query = (
        query.signed or pb.SignedGraphQLQuery(version=1, query=query.text.encode("utf-8")).SerializeToString()
    )
    request.signature = query.signature
    request.variables_json.value = query.variables


def requests(din: str) -> list[tuple[str, bytes]]:
    """(key, body) for every TEDAPI read of the gateway itself the recorder polls."""
    info = _frame(din)
    info.envelope.common.get_system_info_request.SetInParent()
    config = _frame(din)
    config.envelope.filestore.read_file_request.domain = 1
    config.envelope.filestore.read_file_request.name = "config.json"
    found = [(SYSTEM_INFO, info.SerializeToString()), (CONFIG, config.SerializeToString())]
    query = status_query()
    if query is not None:
        body = _query(_frame(din), query)
        found.append((request_key(body) or "query", body))
    return found


def device_requests(din: str, config_answer: bytes) -> list[Read]:
    """The per-device queries for every Powerwall 3 the gateway's config.json answer lists, in both of
    pypowerwall's wordings: the one that is the gateway (a Powerwall 3 site's leader) at /tedapi/v1, the others
    routed through it at /tedapi/device/{din}/v1. Empty without pypowerwall or without Powerwall 3s."""
    found = []
    queries = components_queries()
    for device in powerwall3s(config_answer) if queries else []:
        for query in queries:
            leader = device == din
            body = _query(_frame(device, None if leader else din), query)
            path = "/tedapi/v1" if leader else f"/tedapi/device/{device}/v1"
            found.append(Read(request_key(body) or "query", body, path, device))
    return found


def powerwall3s(config_answer: bytes) -> list[str]:
    """The DINs of the Powerwall 3s a config.json answer lists as battery blocks (none if it is not one)."""
    frame = pb.Frame()
    try:
        frame.ParseFromString(config_answer)
        config = json.loads(frame.envelope.filestore.read_file_response.file.blob or b"{}")
    except (DecodeError, ValueError):
        return []
    blocks = config.get("battery_blocks") if isinstance(config, dict) else None
    return [
        block["vin"]
        for block in blocks or []
        if isinstance(block, dict)
        and POWERWALL3 in str(block.get("type", ""))
        and isinstance(block.get("vin"), str)
        and DIN.fullmatch(block["vin"])
    ]


def firmware_version(answer: bytes) -> str | None:
    """The firmware a system information answer names, or None."""
    frame = pb.Frame()
    try:
        frame.ParseFromString(answer)
    except DecodeError:
        return None
    text = frame.envelope.common.get_system_info_response.firmware_version.version.strip()
    return text or None
