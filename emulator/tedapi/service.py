"""The Wi-Fi TEDAPI door (POST /tedapi/v1), free of HTTP: a protobuf Frame in, a Frame out.

One decoder serves both protobuf API versions pypowerwall 0.22.2 speaks (they share the wire; see
proto/teg_emulator_tedapi.proto). The Frame's envelope is answered by the command table
(:mod:`emulator.tedapi.dispatch`) that the signed door shares; here only the Frame, the recipient, the
errors and the per-sample answer cache are this door's own. Every refusal is a :class:`GatewayError` with
the status the routes document, raised before anything is read from or changed in the gateway: this door
is read-only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from weakref import WeakKeyDictionary

from google.protobuf.message import DecodeError

from emulator.device.errors import error, not_found
from emulator.device.gateway import Gateway
from emulator.device.snapshot import Snapshot
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.commands import V1, Call, Unimplemented, dispatch, site_of

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
    answers = _ANSWERS.get(gw)
    if answers is None:
        answers = _ANSWERS[gw] = _Answers()
    return answers.get(snap, (device_din, body), lambda: _answer(gw, snap, body, device_din))


class _Answers:
    """One gateway's answers for its latest snapshot: a poller's repeated request is answered once per sample.

    An answer is a function of the snapshot, the request body and the device asked (pypowerwall polls the same
    signed status query every few seconds). At most ``MAX_ANSWERS`` are kept, the least recently asked dropped
    first, so distinct requests cost bounded memory; a new snapshot starts afresh. The request asked last is
    compared before any lookup: a poller's next request is that one again, and comparing its 7 KB body costs
    a tenth of hashing it (the dict's key), which every request would otherwise pay for a new bytes object.
    """

    MAX_ANSWERS = 16

    def __init__(self) -> None:
        self.snap: Snapshot | None = None
        self.answers: OrderedDict[tuple[str | None, bytes], bytes] = OrderedDict()
        self.last: tuple[tuple[str | None, bytes], bytes] | None = None  # already the most recent in ``answers``

    def get(self, snap: Snapshot, key: tuple[str | None, bytes], answer: Callable[[], bytes]) -> bytes:
        if snap is not self.snap:
            self.snap, self.answers, self.last = snap, OrderedDict(), None
        last = self.last
        if last is not None and last[0] == key:
            return last[1]
        found = self.answers.get(key)
        if found is not None:
            self.answers.move_to_end(key)
        else:
            found = self.answers[key] = answer()
            if len(self.answers) > self.MAX_ANSWERS:
                self.answers.popitem(last=False)
        self.last = (key, found)
        return found


_ANSWERS: WeakKeyDictionary[Gateway, _Answers] = WeakKeyDictionary()


def _answer(gw: Gateway, snap: Snapshot, body: bytes, device_din: str | None) -> bytes:
    envelope = decode(body).envelope
    site = site_of(gw, snap)
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
    return answer
