"""The Wi-Fi TEDAPI door (POST /tedapi/v1), free of HTTP: a protobuf Frame in, a Frame out.

One decoder serves both protobuf API versions pypowerwall 0.22.2 speaks (they share the wire; see
proto/teg_emulator_tedapi.proto). The Frame's envelope is answered by the command table
(:mod:`emulator.tedapi.dispatch`) that the signed door shares, and kept per sample as both doors keep
them (:mod:`emulator.tedapi.answers`); here only the Frame, the recipient and the errors are this door's own. Every refusal is a :class:`GatewayError` with
the status the routes document, raised before anything is read from or changed in the gateway: this door
is read-only.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from emulator.device.errors import error, not_found
from emulator.device.gateway import Gateway
from emulator.device.snapshot import Snapshot
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.answers import answers_of
from emulator.tedapi.commands import V1, Call, Unimplemented, dispatch, per_sample
from emulator.tedapi.hardware import Site

LOCAL_INSTALLER = 1


def decode(body: bytes) -> pb.Frame:
    """The request frame; 400 when the body is not a TEDAPI message."""
    frame = pb.Frame()
    try:
        frame.ParseFromString(body)
    except DecodeError as exc:
        raise error("tedapi_not_protobuf", detail=str(exc)) from None
    if not frame.HasField("envelope"):
        raise error("tedapi_not_protobuf", detail="no envelope (field 1)")
    return frame


def handle(gw: Gateway, body: bytes, device_din: str | None = None) -> bytes:
    """Answer one POST /tedapi/v1 (or /tedapi/device/{din}/v1) body (refusals raise, and are not kept)."""
    snap = gw.snapshot()
    answers = answers_of(gw)
    return answers.get(
        gw, snap, (device_din, body), lambda: _answer(gw, snap, answers.site(gw, snap), body, device_din)
    )


def _answer(gw: Gateway, snap: Snapshot, site: Site, body: bytes, device_din: str | None) -> tuple[bytes, bool]:
    """The answer, and whether it may be kept for the sample."""
    envelope = decode(body).envelope
    known = {site.din, *(p.din for p in site.packs)}
    target = device_din or (envelope.recipient.din if envelope.recipient.WhichOneof("id") == "din" else site.din)
    if target not in known:
        raise not_found("device", target)
    reply = pb.Envelope(delivery_channel=envelope.delivery_channel or 1)
    reply.sender.din = target
    reply.recipient.local = LOCAL_INSTALLER
    try:
        dispatch(Call(gw, snap, site, target, V1), envelope, reply)
    except Unimplemented:
        raise error("tedapi_unknown_request") from None
    answer: bytes = pb.Frame(envelope=reply, tail=pb.Tail(value=1)).SerializeToString()
    return answer, per_sample(envelope)
