"""The TEDAPI's request handling, free of HTTP: a protobuf frame in, a protobuf frame out.

One decoder serves both protobuf API versions pypowerwall 0.22.2 speaks (they
share the wire; see proto/teg_emulator_tedapi.proto). Every refusal is a
:class:`GatewayError` with the status the routes document, raised before
anything is read from or changed in the gateway: the TEDAPI is read-only here.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from google.protobuf.message import DecodeError

from emulator.device.errors import bad_request, error, not_found
from emulator.device.gateway import Gateway
from emulator.device.snapshot import Snapshot
from emulator.firmware import profile_of
from emulator.numbers import json_text
from emulator.tedapi import documents
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.hardware import Site, describe

CONFIG_DOMAIN = 1
CONFIG_NAME = "config.json"
QUERY_SUCCESS = 1
DEVICE_TYPE_SITECONTROLLER = 4
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
    return _ANSWERS.setdefault(gw, _Answers()).get(
        snap, (device_din, body), lambda: _answer(gw, snap, body, device_din)
    )


class _Answers:
    """One gateway's answers for its latest snapshot: a poller's repeated request is answered once per sample.

    An answer is a function of the snapshot, the request body and the device asked (pypowerwall polls the same
    signed status query every few seconds). At most ``MAX_ANSWERS`` are kept, the least recently asked dropped
    first, so distinct requests cost bounded memory; a new snapshot starts afresh.
    """

    MAX_ANSWERS = 16

    def __init__(self) -> None:
        self.snap: Snapshot | None = None
        self.answers: OrderedDict[tuple[str | None, bytes], bytes] = OrderedDict()

    def get(self, snap: Snapshot, key: tuple[str | None, bytes], answer: Callable[[], bytes]) -> bytes:
        if snap is not self.snap:
            self.snap, self.answers = snap, OrderedDict()
        found = self.answers.get(key)
        if found is not None:
            self.answers.move_to_end(key)
            return found
        found = self.answers[key] = answer()
        if len(self.answers) > self.MAX_ANSWERS:
            self.answers.popitem(last=False)
        return found


_ANSWERS: WeakKeyDictionary[Gateway, _Answers] = WeakKeyDictionary()


def _answer(gw: Gateway, snap: Snapshot, body: bytes, device_din: str | None) -> bytes:
    envelope = decode(body).envelope
    site = site_of(gw, snap)
    known = {site.din, *(p.din for p in site.packs)}
    target = device_din or (envelope.recipient.din if envelope.recipient.WhichOneof("id") == "din" else site.din)
    if target not in known:
        raise not_found("device", target)
    kind = envelope.WhichOneof("body")
    reply = pb.Envelope(delivery_channel=envelope.delivery_channel or 1)
    reply.sender.din = target
    reply.recipient.local = LOCAL_INSTALLER
    if kind == "system" and envelope.system.WhichOneof("message") == "info_request":
        reply.system.info.CopyFrom(_system_info(snap, site))
    elif kind == "file" and envelope.file.WhichOneof("message") == "read":
        _read_file(snap, site, envelope.file.read, reply.file.content)
    elif kind == "query" and envelope.query.WhichOneof("message") == "request":
        reply.query.response.CopyFrom(_query(snap, site, target, envelope.query.request))
    else:
        raise error("tedapi_unknown_request")
    answer: bytes = pb.Frame(envelope=reply, tail=pb.Tail(value=1)).SerializeToString()
    return answer


def site_of(gw: Gateway, snap: Snapshot) -> Site:
    """The devices a TEDAPI client sees, in the hardware layout the firmware's facts state."""
    return describe(snap, gw.facts.hardware, profile_of(gw).bodies)


def _system_info(snap: Snapshot, site: Site) -> pb.SystemInfo:
    text, _, short_hash = snap.version_string.partition(" ")
    part, _, serial = site.din.partition("--")
    return pb.SystemInfo(
        device=pb.EcuId(part_number=part, serial_number=serial),
        din=site.din,
        version=pb.FirmwareVersion(text=snap.version_string, githash=(short_hash or text).encode("ascii")),
        update=pb.SystemUpdate(handshake_result=1, update_status=1 if snap.update.installing else 0),
        device_type=DEVICE_TYPE_SITECONTROLLER,
        radios=pb.Radios(
            radio=[
                pb.Radio(
                    company=pb.Text(value="Murata"),
                    model=pb.Text(value="1DX"),
                    fcc_id=pb.Text(value="VPYLB1DX"),
                    ic_id=pb.Text(value="772C-LB1DX"),
                )
            ]
        ),
    )


def _read_file(snap: Snapshot, site: Site, read: pb.FileRead, into: pb.FileContent) -> None:
    if read.name != CONFIG_NAME and read.domain != CONFIG_DOMAIN:
        raise not_found("file", read.name)
    into.file.name = CONFIG_NAME
    into.file.text = json_text(documents.config_json(site, snap))


def _query(snap: Snapshot, site: Site, target: str, request: pb.QueryRequest) -> pb.QueryResponse:
    signed = pb.SignedQuery()
    try:
        signed.ParseFromString(request.signed)
        text = signed.text.decode("utf-8")
    except (DecodeError, UnicodeDecodeError):
        raise bad_request("the query field is not a signed GraphQL query") from None
    if not request.signature:
        raise error("tedapi_unsigned")
    variables = _variables(request.variables.value if request.HasField("variables") else "")
    # Imported here for start-up speed: graphql-core costs ~0.1 s of CPU to import and only a query needs it.
    from emulator.tedapi import query

    try:
        op = query.operation(text)
        data = query.answer(op, _data_for(snap, site, target), variables)
    except query.QueryRejected as exc:
        raise bad_request(str(exc)) from None
    return pb.QueryResponse(status=QUERY_SUCCESS, data=json_text(data))


def _variables(raw: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"query variables are not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise bad_request("query variables must be a JSON object")
    return value


def _data_for(snap: Snapshot, site: Site, target: str) -> dict[str, Any]:
    """The document a query selects from: the device controller, plus a Powerwall 3's own components."""
    data = documents.device_controller(site, snap)
    pack = next((p for p in site.inverters if p.din == target), site.leader if target == site.din else None)
    if site.pw3 and pack is not None:
        pw3 = documents.components(site, snap, pack)
        data["pw3Can"] = {**data["pw3Can"], **pw3["pw3Can"]}
        data["components"]["components"] = data["components"]["components"] + pw3["components"]["components"]
    return data
