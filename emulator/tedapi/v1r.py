"""The signed LAN door (POST /tedapi/v1r), free of HTTP: a RoutableMessage in, a RoutableMessage out.

Everything is answered 200, as a gateway does: a request the signature checks refuse carries its
``MessageFault`` (:mod:`emulator.tedapi.signed`); a key that is known but not verified gets an envelope
saying "client authorization not verified", the phrase both clients look for; a verified request's
envelope goes to the command table the Wi-Fi door shares (:mod:`emulator.tedapi.dispatch`), and a
command's refusal comes back inside the envelope as ``common.error_response`` with a google.rpc code
(12 UNIMPLEMENTED for a command this firmware lacks).

On a site of several Powerwall 3s the leader answers for the whole site, whatever DIN the envelope names.
Nothing changes in the gateway before the signature has verified and the key is verified.
"""

from __future__ import annotations

import uuid as uuids

from google.protobuf.message import DecodeError

from emulator.device.authorized_clients import KeyState
from emulator.device.errors import GatewayError
from emulator.device.gateway import Gateway
from emulator.device.snapshot import Snapshot
from emulator.tedapi import signed
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r
from emulator.tedapi.answers import answers_of
from emulator.tedapi.commands import V1R, Call, Unimplemented, dispatch, per_sample
from emulator.tedapi.hardware import Site

NOT_VERIFIED = "v1r: client authorization not verified"
HERMES_COMMAND = 2  # Envelope.delivery_channel of the commands clients send over v1r
CUSTOMER_MOBILE_APP = 1  # Participant.authorized_client
# google.rpc.Code for the HTTP status a handler's GatewayError carries
RPC_CODES = {400: 3, 403: 7, 404: 5, 409: 10, 412: 9, 413: 8, 429: 8, 501: 12, 503: 14}
UNKNOWN, UNIMPLEMENTED, PERMISSION_DENIED = 2, 12, 7


def handle(gw: Gateway, body: bytes, wall_now: float) -> bytes:
    """Answer one POST /tedapi/v1r body; ``wall_now`` (real unix seconds) judges the signature's expiry.

    Every request is parsed, its expiry judged against ``wall_now``, its signature verified for this site's DIN
    and its key's state judged; only then may a read's answer for this sample be one already worked out
    (:mod:`emulator.tedapi.answers`: by the signer and the envelope's exact bytes).
    """
    snap = gw.snapshot()
    answers = answers_of(gw)
    site = answers.site(gw, snap)
    keys = gw.authorized_clients
    answer_uuid = uuids.uuid4().bytes
    try:
        request = signed.check(body, keys.find, site.din, [p.din for p in site.packs if p.din != site.din], wall_now)
    except signed.Fault as fault:
        return signed.refusal(fault, answer_uuid)
    if keys.state(request.signer) is not KeyState.VERIFIED:
        reply = _reply(site.din)
        _error(reply, PERMISSION_DENIED, NOT_VERIFIED)
        return signed.answer(reply.SerializeToString(), request.uuid, answer_uuid)
    try:
        envelope = answers.get(
            gw, snap, (request.signer.der, request.envelope), lambda: _answer(gw, snap, site, request)
        )
    except DecodeError:
        undecodable = signed.Fault(v1r.MESSAGEFAULT_ERROR_DECODING, "the payload is not an envelope", request.uuid)
        return signed.refusal(undecodable, answer_uuid)
    return signed.answer(envelope, request.uuid, answer_uuid)


def _reply(din: str) -> pb.Envelope:
    reply = pb.Envelope(delivery_channel=HERMES_COMMAND)
    reply.sender.din = din
    reply.recipient.authorized_client = CUSTOMER_MOBILE_APP
    return reply


def _answer(gw: Gateway, snap: Snapshot, site: Site, request: signed.Signed) -> tuple[bytes, bool]:
    """The verified request's answer envelope, and whether it may be kept for the sample; DecodeError: none."""
    envelope = pb.Envelope()
    envelope.ParseFromString(request.envelope)
    reply = _reply(site.din)
    reply.delivery_channel = envelope.delivery_channel or HERMES_COMMAND
    keep = per_sample(envelope)
    try:
        dispatch(Call(gw, snap, site, site.din, V1R, request.signer.der), envelope, reply)
    except Unimplemented as exc:
        _error(reply, UNIMPLEMENTED, str(exc))
        keep = False
    except GatewayError as exc:
        _error(reply, RPC_CODES.get(exc.status, UNKNOWN), exc.message)
        keep = False
    return reply.SerializeToString(), keep


def _error(reply: pb.Envelope, code: int, message: str) -> None:
    """Make ``reply`` a command's refusal: ``common.error_response`` and nothing else."""
    payload = reply.WhichOneof("payload")
    if payload is not None:
        reply.ClearField(payload)
    reply.common.error_response.status.code = code
    reply.common.error_response.status.message = message
