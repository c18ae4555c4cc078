"""The Frames the schemathesis hooks send are requests the gateway answers, and only a marked media type gets them.

Drawn in-process from emulator.tedapi.frames (not the hooks module, whose import would register hooks
in this test process's schemathesis and change what other tests' schemathesis runs send).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.frames import FRAME, MARKER, ROUTABLE, frames, marked_media_types

AUTH = ("Tesla_Energy_Device", "ABCDEFGHIJ")
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
CLIENTS = {
    firmware: TestClient(
        create_app(build_gateway(EmulatorOptions(firmware=firmware, gw_password=AUTH[1], paused=True))),
        base_url="https://testserver",
    )
    for firmware in ("24.4.0", "25.10.1")
}


@pytest.mark.parametrize("firmware", sorted(CLIENTS))
def test_every_drawn_frame_is_answered_and_only_a_foreign_recipient_is_not_found(firmware: str) -> None:
    client = CLIENTS[firmware]
    site_din = client.get("/tedapi/din", auth=AUTH).text

    @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(body=frames())
    def answered(body: bytes) -> None:
        frame = pb.Frame.FromString(body)
        reply = client.post("/tedapi/v1", content=body, auth=AUTH)
        recipient = frame.envelope.recipient.din if frame.envelope.recipient.WhichOneof("id") == "din" else None
        expected = 404 if recipient not in (None, site_din) else 200
        assert reply.status_code == expected, reply.text
        if expected == 200:
            answer = pb.Frame.FromString(reply.content).envelope
            assert answer.WhichOneof("payload") == frame.envelope.WhichOneof("payload")

    answered()


def _document(*bodies: Mapping[str, object]) -> dict[str, object]:
    paths = {f"/p{i}": {"post": {"requestBody": {"content": content}}} for i, content in enumerate(bodies)}
    return {"openapi": "3.1.0", "paths": paths}


def test_the_served_spec_marks_the_tedapi_request_bodies_as_frames() -> None:
    served = yaml.safe_load(CLIENTS["25.10.1"].get("/_emulator/openapi.yaml").text)
    assert marked_media_types(served) == {"application/octet-stream"}
    marked = {
        (path, method): op["requestBody"]["content"]["application/octet-stream"][MARKER]
        for path, item in served["paths"].items()
        for method, op in item.items()
        if MARKER in op.get("requestBody", {}).get("content", {}).get("application/octet-stream", {})
    }
    assert marked == {
        ("/tedapi/v1", "post"): FRAME,
        ("/tedapi/device/{din}/v1", "post"): FRAME,
        ("/tedapi/v1r", "post"): ROUTABLE,  # drawn as RoutableMessages for that operation alone
    }


def test_a_media_type_that_also_carries_unmarked_bodies_is_refused_rather_than_sent_frames() -> None:
    octets = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    frame = {"application/octet-stream": {MARKER: FRAME, "schema": {"type": "string", "format": "binary"}}}
    assert marked_media_types(_document(frame, {"application/json": {}})) == {"application/octet-stream"}
    with pytest.raises(ValueError, match="carries both"):
        marked_media_types(_document(frame, octets))
    with pytest.raises(ValueError, match="not a message"):
        marked_media_types(_document({"application/octet-stream": {MARKER: "vitals.DevicesWithVitals"}}))
