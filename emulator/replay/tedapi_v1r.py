"""TEDAPI v1r in recordings: the signed reads ``record --rsa-key`` polls, and a replay that still checks signatures.

A Powerwall 3 on today's LAN (25.10 and later) answers its TEDAPI only over v1r: a customer login, GET
/tedapi/din with that session's bearer token, then RoutableMessages signed with the owner's registered key
(:mod:`emulator.contract.v1r` signs them as the clients do, for 12 s, so each poll signs afresh). The recorder
asks what the clients poll -- the system information, config.json, the status query and the Powerwall 3's
own components (the leader answers those for the whole site) -- and keeps each answer, a RoutableMessage,
byte for byte, named by the kind of request it answered (:func:`emulator.replay.tedapi.envelope_key`, the
names the Wi-Fi door's recordings use).

A replay has no gateway to borrow a key table from, and a recording holds no keys: it checks each request
the way a gateway does (:mod:`emulator.tedapi.signed`) against its own authorized keys (``serve --replay
--authorized-key``, or the control API) and the recorded DIN, answers a key it has not verified "not
verified", and a verified request with the latest recorded answer of the same kind, its envelope carried
back to this request (the request's uuid echoed, a fresh one of its own). A kind never recorded is a 404,
as is every path a recording lacks.
"""

from __future__ import annotations

import time
import uuid as uuids
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from google.protobuf.message import DecodeError
from starlette.requests import Request
from starlette.responses import Response

from emulator.contract import v1r as contract_v1r
from emulator.contract.signed_query import components_queries, status_query
from emulator.device.authorized_clients import AuthorizedClients, KeyState
from emulator.device.errors import error
from emulator.replay.client import RecordError, RecordingClient
from emulator.replay.context import replay_context
from emulator.replay.tedapi import CONFIG, SYSTEM_INFO, Read, ask_query, envelope_key
from emulator.tedapi import fault_kinds
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r_pb
from emulator.tedapi.dispatch import kind
from emulator.tedapi.routes import guard, read_body

if TYPE_CHECKING:
    from emulator.device.gateway import Gateway
    from emulator.replay.timeline import Prepared
    from emulator.tedapi.v1r import Inject

PATH = contract_v1r.PATH
LOCAL_HTTPS, HERMES_COMMAND = 1, 2  # Envelope.delivery_channel: reads and queries; commands (filestore)
INSTALLER, CUSTOMER_MOBILE_APP = 1, 1  # Participant.local; Participant.authorized_client
PER_DEVICE = ("query ComponentsQuery", "query PW3Query")  # answered for a device: the leader, over v1r


def reads(din: str) -> list[Read]:
    """The v1r reads the recorder polls, each a bare envelope to ``din`` (signed when sent)."""
    info = _envelope(din)
    info.common.get_system_info_request.SetInParent()
    config = _envelope(din, command=True)
    config.filestore.read_file_request.domain = 1
    config.filestore.read_file_request.name = "config.json"
    found = [Read(SYSTEM_INFO, info.SerializeToString(), PATH), Read(CONFIG, config.SerializeToString(), PATH)]
    for query in [q for q in (status_query(), *components_queries()) if q is not None]:
        envelope = _envelope(din)
        ask_query(envelope, query)
        key = envelope_key(envelope) or "query"
        found.append(Read(key, envelope.SerializeToString(), PATH, din if key in PER_DEVICE else None))
    return found


def _envelope(din: str, *, command: bool = False) -> pb.Envelope:
    """An envelope as v1r clients address one: reads from the installer, commands from the customer's app."""
    envelope = pb.Envelope(delivery_channel=HERMES_COMMAND if command else LOCAL_HTTPS)
    if command:
        envelope.sender.authorized_client = CUSTOMER_MOBILE_APP
    else:
        envelope.sender.local = INSTALLER
    envelope.recipient.din = din
    return envelope


def identify(client: RecordingClient, key: contract_v1r.SigningKey, password: str, email: str) -> dict[str, str]:
    """A Powerwall 3's DIN and firmware as v1r clients learn them: login, GET /tedapi/din, signed system info.

    Leaves the client logged in (the recording's session). RecordError when the gateway will not answer the
    key, saying what to do about it.
    """
    client.login(password, email)
    answer = client.get("/tedapi/din")
    din = answer.content.decode("utf-8", "replace").strip()
    if answer.status != 200 or not din:
        raise RecordError(f"{client.base_url} answered GET /tedapi/din with {answer.status} to a customer session")
    info = reads(din)[0]
    reply = client.post_protobuf(PATH, contract_v1r.signed_message(key, din, info.body), {})
    envelope = _answered(reply.status, reply.content, client.base_url, key)
    version = envelope.common.get_system_info_response.firmware_version.version.strip()
    if not version:
        raise RecordError(f"{client.base_url}: the TEDAPI v1r system information names no firmware")
    return {"version": version, "din": din}


def _answered(status: int, content: bytes, where: str, key: contract_v1r.SigningKey) -> pb.Envelope:
    """The envelope of a v1r answer that carries one; RecordError naming the refusal otherwise."""
    named = f"the key {key.fingerprint[:16]}..."
    message, envelope = v1r_pb.RoutableMessage(), pb.Envelope()
    try:
        if status != 200:
            raise DecodeError
        message.ParseFromString(content)
        envelope.ParseFromString(message.protobuf_message_as_bytes)
    except DecodeError:
        raise RecordError(f"{where} answered POST {PATH} with {status}, not a RoutableMessage") from None
    fault = message.signed_message_status.message_fault
    if fault == v1r_pb.MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID:
        raise RecordError(f"{where} does not know {named} (UNKNOWN_KEY_ID): register it (pypowerwall register)")
    if fault:
        raise RecordError(f"{where} refused a request signed by {named} ({v1r_pb.MessageFault.Name(fault)})")
    if contract_v1r.NOT_VERIFIED.encode() in message.protobuf_message_as_bytes.lower():
        raise RecordError(
            f"{where} has not verified {named}: toggle the Powerwall 3's On/Off switch (off ~15 s, then on)"
            " within 10 minutes of registering it"
        )
    return envelope


def endpoint(din: str, render: Callable[[Prepared, Gateway], Response]) -> Callable[[Request], Awaitable[Response]]:
    """The replay's POST /tedapi/v1r, for a recording of the gateway whose DIN is ``din``; ``render`` sends a
    recorded answer as it was (an HTTP refusal)."""

    async def answer(request: Request) -> Response:
        gateway = guard(request, PATH)
        if isinstance(gateway, Response):
            return gateway
        body = await read_body(request)
        if not body:
            raise error("tedapi_body_required")
        ctx = replay_context(request)
        checked = _checked(body, gateway.authorized_clients, din, fault_kinds.injector(request))
        if isinstance(checked, bytes):
            return _protobuf(checked)
        key, request_uuid = checked
        prepared = ctx.replay.answer("POST", PATH, key, din if key in PER_DEVICE else None)
        if prepared is None:
            raise error("not_recorded", path=f"POST {PATH} ({key})", file=ctx.replay.recording.file.name)
        if prepared.status != 200:
            return render(prepared, gateway)
        return _protobuf(_readdressed(prepared.content, request_uuid))

    return answer


def _checked(body: bytes, keys: AuthorizedClients, din: str, inject: Inject) -> tuple[str, bytes] | bytes:
    """(the kind of request, its uuid) once ``body`` passes a gateway's checks; else the answer that refuses it
    (one a fault rule injects too, as the live door does)."""
    from emulator.tedapi import signed, v1r  # bring cryptography's RSA: loaded by the first v1r request

    mine = uuids.uuid4().bytes
    try:
        checked = signed.check(body, keys.find, din, (), time.time())  # the expiry: wall-clock time
    except signed.Fault as fault:
        return signed.refusal(fault, mine)
    if keys.state(checked.signer) is not KeyState.VERIFIED:
        return v1r.refused(v1r.NotVerified(), din, checked.uuid)
    envelope = pb.Envelope()
    try:
        envelope.ParseFromString(checked.envelope)
    except DecodeError:
        undecodable = signed.Fault(v1r_pb.MESSAGEFAULT_ERROR_DECODING, "the payload is not an envelope", checked.uuid)
        return signed.refusal(undecodable, mine)
    injected = inject(*kind(envelope))
    if injected is not None:
        return v1r.refused(injected, din, checked.uuid)
    return envelope_key(envelope) or "", checked.uuid


def _readdressed(recorded: bytes, request_uuid: bytes) -> bytes:
    """A recorded answer carried back to this request: its envelope or fault, this request's uuid echoed."""
    from emulator.tedapi import signed  # loaded by the first v1r request, as above

    message = v1r_pb.RoutableMessage.FromString(recorded)  # checked at load: it parses
    mine = uuids.uuid4().bytes
    fault = message.signed_message_status.message_fault
    if fault:
        return signed.refusal(signed.Fault(fault, "as recorded", request_uuid), mine)
    return signed.answer(message.protobuf_message_as_bytes, request_uuid, mine)


def _protobuf(content: bytes) -> Response:
    return Response(content, media_type="application/octet-stream", headers={"cache-control": "no-cache, no-store"})
