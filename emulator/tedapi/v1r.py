"""The signed LAN door (POST /tedapi/v1r), free of HTTP: a RoutableMessage in, a RoutableMessage out.

Everything is answered 200, as a gateway does: a request the signature checks refuse carries its
``MessageFault`` (:mod:`emulator.tedapi.signed`); a key that is known but not verified gets an envelope
saying "client authorization not verified", the phrase both clients look for; a verified request's
envelope goes to the command table the Wi-Fi door shares (:mod:`emulator.tedapi.dispatch`), and a
command's refusal comes back inside the envelope as ``common.error_response`` with a google.rpc code
(12 UNIMPLEMENTED for a command this firmware lacks).

On a site of several Powerwall 3s the leader answers for the whole site, whatever DIN the envelope names.
Nothing changes in the gateway before the signature has verified and the key is verified.

A fault rule may refuse a verified request in place of its command (emulator.tedapi.fault_kinds): the door
asks its ``inject`` once it knows the command, and answers the refusal it gets as it answers its own.
"""

from __future__ import annotations

import uuid as uuids
from collections.abc import Callable

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
from emulator.tedapi.dispatch import kind
from emulator.tedapi.hardware import Site

NOT_VERIFIED = "v1r: client authorization not verified"
HERMES_COMMAND = 2  # Envelope.delivery_channel of the commands clients send over v1r
CUSTOMER_MOBILE_APP = 1  # Participant.authorized_client
# google.rpc.Code for the HTTP status a handler's GatewayError carries
RPC_CODES = {400: 3, 403: 7, 404: 5, 409: 10, 412: 9, 413: 8, 429: 8, 501: 12, 503: 14}
UNKNOWN, UNIMPLEMENTED, PERMISSION_DENIED = 2, 12, 7


class NotVerified(Exception):
    """The signer's key is not verified: answered with the "client authorization not verified" envelope."""


Refusal = signed.Fault | NotVerified | Unimplemented | GatewayError
"""Every way the door refuses a signed request: a message fault, not verified, or its command's refusal."""

Inject = Callable[[str | None, str | None], Refusal | None]
"""The refusal a fault rule puts in place of a verified request's command (its payload and member), or None."""


def no_faults(_payload: str | None, _member: str | None) -> Refusal | None:
    return None


def handle(gw: Gateway, body: bytes, wall_now: float, inject: Inject = no_faults) -> bytes:
    """Answer one POST /tedapi/v1r body; ``wall_now`` (real unix seconds) judges the signature's expiry.

    Every request is parsed, its expiry judged against ``wall_now``, its signature verified for this site's DIN
    and its key's state judged; only then, and only where no fault rule may act (``inject`` is
    :func:`no_faults`), may a read's answer for this sample be one already worked out
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
        return _refused(NotVerified(), _reply(site.din), request.uuid, answer_uuid)
    try:
        if inject is no_faults:
            key = (request.signer.der, request.envelope)
            envelope = answers.get(gw, snap, key, lambda: _answer(gw, snap, site, request, inject))
        else:  # a rule may refuse it in place of its command: nothing kept is answered
            envelope, _ = _answer(gw, snap, site, request, inject)
    except DecodeError:
        undecodable = signed.Fault(v1r.MESSAGEFAULT_ERROR_DECODING, "the payload is not an envelope", request.uuid)
        return signed.refusal(undecodable, answer_uuid)
    except _Injected as injected:
        return _refused(injected.refusal, injected.reply, request.uuid, answer_uuid)
    return signed.answer(envelope, request.uuid, answer_uuid)


class _Injected(Exception):
    """A fault rule's refusal in place of the command, and the reply it goes into."""

    def __init__(self, refusal: Refusal, reply: pb.Envelope) -> None:
        super().__init__(str(refusal))
        self.refusal, self.reply = refusal, reply


def _answer(gw: Gateway, snap: Snapshot, site: Site, request: signed.Signed, inject: Inject) -> tuple[bytes, bool]:
    """A verified request's answer envelope, and whether it may be kept for the sample (a per-sample read's,
    never a refusal's). DecodeError: the payload is not an envelope; _Injected: a rule refuses it."""
    envelope = pb.Envelope()
    envelope.ParseFromString(request.envelope)
    reply = _reply(site.din, envelope.delivery_channel)
    injected = inject(*kind(envelope))
    if injected is not None:
        raise _Injected(injected, reply)
    try:
        dispatch(Call(gw, snap, site, site.din, V1R, request.signer.der), envelope, reply)
    except (Unimplemented, GatewayError) as exc:
        _error_for(exc, reply)
        return reply.SerializeToString(), False
    return reply.SerializeToString(), per_sample(envelope)


def refused(refusal: Refusal, din: str, request_uuid: bytes) -> bytes:
    """The answer of gateway ``din`` to a request (uuid ``request_uuid``) it refuses with ``refusal``."""
    return _refused(refusal, _reply(din), request_uuid, uuids.uuid4().bytes)


def _reply(din: str, delivery_channel: int = HERMES_COMMAND) -> pb.Envelope:
    reply = pb.Envelope(delivery_channel=delivery_channel or HERMES_COMMAND)
    reply.sender.din = din
    reply.recipient.authorized_client = CUSTOMER_MOBILE_APP
    return reply


def _refused(refusal: Refusal, reply: pb.Envelope, request_uuid: bytes, answer_uuid: bytes) -> bytes:
    """A message fault in the RoutableMessage; anything else as ``common.error_response`` in the envelope."""
    if isinstance(refusal, signed.Fault):
        return signed.refusal(signed.Fault(refusal.code, refusal.why, request_uuid), answer_uuid)
    _error_for(refusal, reply)
    return signed.answer(reply.SerializeToString(), request_uuid, answer_uuid)


def _error_for(refusal: NotVerified | Unimplemented | GatewayError, reply: pb.Envelope) -> None:
    if isinstance(refusal, NotVerified):
        _error(reply, PERMISSION_DENIED, NOT_VERIFIED)
    elif isinstance(refusal, Unimplemented):
        _error(reply, UNIMPLEMENTED, str(refusal))
    else:
        _error(reply, RPC_CODES.get(refusal.status, UNKNOWN), refusal.message)


def _error(reply: pb.Envelope, code: int, message: str) -> None:
    """Make ``reply`` a command's refusal: ``common.error_response`` and nothing else."""
    payload = reply.WhichOneof("payload")
    if payload is not None:
        reply.ClearField(payload)
    reply.common.error_response.status.code = code
    reply.common.error_response.status.message = message
