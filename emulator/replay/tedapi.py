"""The TEDAPI in recordings: the read-only requests the recorder sends, and how a replay matches a request.

A POST /tedapi/v1 answer depends on what was asked, so a recording names each
answer's request with a short key ("system info", "file config.json", "query
DeviceControllerQuery") and a replay answers a request with the latest answer
of the same key. Keys name the kind of request, not its bytes: a client that
words the same query differently (pypowerwall's two protobuf API versions)
still gets the recorded answer.

A status query must carry Tesla's signature of its text, which only Tesla can
make: the recorder sends the pre-signed DeviceControllerQuery that pypowerwall
ships as data, when pypowerwall is installed; without it, it records the DIN,
the system information and config.json.
"""

from __future__ import annotations

import base64
import re

from google.protobuf.message import DecodeError

from emulator.contract.signed_query import status_query
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb

USERNAME = "Tesla_Energy_Device"
SYSTEM_INFO = "system info"
CONFIG = "file config.json"
_OPERATION = re.compile(rb"^\s*query\s+([A-Za-z_][A-Za-z0-9_]*)")


def basic_auth(gw_password: str) -> dict[str, str]:
    token = base64.b64encode(f"{USERNAME}:{gw_password}".encode()).decode("ascii")
    return {"authorization": f"Basic {token}"}


def request_key(body: bytes) -> str | None:
    """The kind of TEDAPI request ``body`` is, or None when it is not one a recording can hold."""
    frame = pb.Frame()
    try:
        frame.ParseFromString(body)
    except DecodeError:
        return None
    envelope = frame.envelope
    kind = envelope.WhichOneof("body")
    if kind == "system" and envelope.system.WhichOneof("message") == "info_request":
        return SYSTEM_INFO
    if kind == "file" and envelope.file.WhichOneof("message") == "read":
        return f"file {envelope.file.read.name or 'config.json'}"
    if kind == "query" and envelope.query.WhichOneof("message") == "request":
        signed = pb.SignedQuery()
        try:
            signed.ParseFromString(envelope.query.request.signed)
        except DecodeError:
            return None
        match = _OPERATION.match(signed.text)
        return f"query {match.group(1).decode('ascii')}" if match else None
    return None


def _frame(din: str) -> pb.Frame:
    frame = pb.Frame(tail=pb.Tail(value=1))
    frame.envelope.delivery_channel = 1
    frame.envelope.sender.local = 1
    frame.envelope.recipient.din = din
    return frame


def requests(din: str) -> list[tuple[str, bytes]]:
    """(key, body) for every TEDAPI read the recorder polls."""
    info = _frame(din)
    info.envelope.system.info_request.SetInParent()
    config = _frame(din)
    config.envelope.file.read.domain = 1
    config.envelope.file.read.name = "config.json"
    found = [(SYSTEM_INFO, info.SerializeToString()), (CONFIG, config.SerializeToString())]
    query = status_query()
    if query is not None:
        status = _frame(din)
        request = status.envelope.query.request
        request.format = 2
        request.signed = pb.SignedQuery(version=1, text=query.text.encode("utf-8")).SerializeToString()
        request.signature = query.signature
        request.variables.value = query.variables
        key = request_key(status.SerializeToString())
        found.append((key or "query", status.SerializeToString()))
    return found


def firmware_version(answer: bytes) -> str | None:
    """The firmware a system information answer names, or None."""
    frame = pb.Frame()
    try:
        frame.ParseFromString(answer)
    except DecodeError:
        return None
    text = frame.envelope.system.info.version.text.strip()
    return text or None
