"""The TEDAPI's reads: system information, the config.json file, and signed GraphQL queries.

Each answers from the request's one snapshot, so every value agrees with /api/ at that sample. Nothing
here changes the gateway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from typing import Any

from google.protobuf.message import DecodeError

from emulator.device.errors import bad_request, error, not_found
from emulator.numbers import json_text
from emulator.tedapi import config_document, documents
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.dispatch import Call, command

CONFIG_DOMAIN = 1
CONFIG_NAME = "config.json"
QUERY_SUCCESS = 1
DEVICE_TYPE_SITECONTROLLER = 4


@command("common", "get_system_info_request", per_sample=True)
def system_info(call: Call, _request: pb.SystemInfoRequest, reply: pb.Envelope) -> None:
    snap, din = call.snap, call.site.din
    text, _, short_hash = snap.version_string.partition(" ")
    part, _, serial = din.partition("--")
    reply.common.get_system_info_response.CopyFrom(
        pb.SystemInfo(
            device_id=pb.EcuId(part_number=part, serial_number=serial),
            din=din,
            firmware_version=pb.FirmwareVersion(
                version=snap.version_string, githash=(short_hash or text).encode("ascii")
            ),
            system_update=pb.SystemUpdate(handshake_result=1, update_status=1 if snap.update.installing else 0),
            device_type=DEVICE_TYPE_SITECONTROLLER,
            compliance_information=pb.ComplianceInformation(
                radio_legal_information=[
                    pb.RadioLegalInformation(
                        manufacturer=pb.Text(value="Murata"),
                        model=pb.Text(value="1DX"),
                        fcc_id=pb.Text(value="VPYLB1DX"),
                        ic_id=pb.Text(value="772C-LB1DX"),
                    )
                ]
            ),
        )
    )


def config_blob(call: Call) -> bytes:
    """config.json's bytes as the gateway stores them now."""
    return json_text(config_document.config_json(call.site, call.snap)).encode("utf-8")


def blob_hash(blob: bytes) -> bytes:
    """The file's hash, opaque to clients: they send it back with an update as its lock."""
    return hashlib.sha256(blob).digest()


@command("filestore", "read_file_request", per_sample=True)
def read_file(call: Call, request: pb.FileReadRequest, reply: pb.Envelope) -> None:
    if request.name != CONFIG_NAME and request.domain != CONFIG_DOMAIN:
        raise not_found("file", request.name)
    blob = config_blob(call)
    content = reply.filestore.read_file_response
    content.file.name = CONFIG_NAME
    content.file.blob = blob
    content.hash = blob_hash(blob)


@command("graphql", "query_request", per_sample=True)
def query(call: Call, request: pb.QueryRequest, reply: pb.Envelope) -> None:
    signed = pb.SignedGraphQLQuery()
    try:
        signed.ParseFromString(request.query)
        text = signed.query.decode("utf-8")
    except (DecodeError, UnicodeDecodeError):
        raise bad_request("the query field is not a signed GraphQL query") from None
    if not request.signature:
        raise error("tedapi_unsigned")
    variables = _variables(request.variables_json.value if request.HasField("variables_json") else "")
    # Imported here for start-up speed: graphql-core costs ~0.1 s of CPU to import and only a query needs it.
    from emulator.tedapi import query as graphql

    try:
        op = graphql.operation(text)
        data = graphql.answer(op, document_for(call, graphql.top_fields(op)), variables)
    except graphql.QueryRejected as exc:
        raise bad_request(str(exc)) from None
    response = reply.graphql.query_response
    response.status, response.data = QUERY_SUCCESS, json_text(data)


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


def document_for(call: Call, wanted: Collection[str] | None = None) -> dict[str, Any]:
    """The document a query selects from: the device controller, plus a Powerwall 3's own components.

    Only the top-level sections the query reads (``wanted``; None: all) are built: the others cannot change its
    answer (tests/http/test_tedapi_samples.py compares it with the selection from the whole document).
    """
    site, snap, target = call.site, call.snap, call.target
    data = documents.device_controller(site, snap, wanted)
    pack = next((p for p in site.inverters if p.din == target), site.leader if target == site.din else None)
    if site.pw3 and pack is not None:
        if "pw3Can" in data:
            data["pw3Can"] = {**data["pw3Can"], **documents.pw3_can(snap)}
        if "components" in data:
            own = documents.components(site, snap, pack)
            data["components"]["components"] = data["components"]["components"] + own
    return data
