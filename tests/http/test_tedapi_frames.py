"""The Frames (and signed v1r RoutableMessages) the schemathesis hooks send are requests the gateway answers, and
only a marked media type gets them.

Drawn in-process from emulator.tedapi.frames (not the hooks module, whose import would register hooks
in this test process's schemathesis and change what other tests' schemathesis runs send).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from emulator import create_app
from emulator.contract.v1r import new_signing_key, signed_message, signing_key
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r_pb
from emulator.tedapi.frames import (
    FRAME,
    MARKER,
    ROUTABLE,
    Signer,
    frames,
    marked_media_types,
    resigned,
    routables,
    signer_from_env,
)
from emulator.testing.keys import private_key_pem, public_key_pem

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


OWNER = private_key_pem(0)
V1R = TestClient(
    create_app(
        build_gateway(EmulatorOptions(firmware="25.10.1", gw_password=AUTH[1], paused=True, authorized_keys=(OWNER,)))
    ),
    base_url="https://testserver",
)


def _signer() -> Signer:
    return Signer(signing_key(OWNER), V1R.get("/tedapi/din", auth=AUTH).text)


def test_every_drawn_signed_routable_is_answered_with_what_it_asks() -> None:
    signer = _signer()

    @settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(body=routables(signer))
    def answered(body: bytes) -> None:
        asked = pb.Envelope.FromString(v1r_pb.RoutableMessage.FromString(body).protobuf_message_as_bytes)
        reply = v1r_pb.RoutableMessage.FromString(V1R.post("/tedapi/v1r", content=body).content)
        assert reply.signed_message_status.message_fault == 0
        answer = pb.Envelope.FromString(reply.protobuf_message_as_bytes)
        assert answer.WhichOneof("payload") == asked.WhichOneof("payload")

    answered()


def test_unsigned_routables_are_refused_for_their_missing_signature() -> None:
    @settings(max_examples=5, deadline=None, derandomize=True)
    @given(body=routables())
    def refused(body: bytes) -> None:
        reply = v1r_pb.RoutableMessage.FromString(V1R.post("/tedapi/v1r", content=body).content)
        assert reply.signed_message_status.message_fault == v1r_pb.MESSAGEFAULT_ERROR_BAD_PARAMETER

    refused()


def test_a_drawn_message_signed_again_is_fresh_and_any_other_body_is_left_alone() -> None:
    signer = _signer()
    envelope = pb.Envelope(common=pb.CommonMessages(get_system_info_request=pb.SystemInfoRequest()))
    stale = signed_message(signer.key, signer.din, envelope.SerializeToString(), expires_at=int(time.time()) - 60)
    fault = v1r_pb.RoutableMessage.FromString(V1R.post("/tedapi/v1r", content=stale).content).signed_message_status
    assert fault.message_fault == v1r_pb.MESSAGEFAULT_ERROR_TIME_EXPIRED
    fresh = resigned(stale, signer)
    assert v1r_pb.RoutableMessage.FromString(fresh).uuid == v1r_pb.RoutableMessage.FromString(stale).uuid
    reply = v1r_pb.RoutableMessage.FromString(V1R.post("/tedapi/v1r", content=fresh).content)
    assert reply.signed_message_status.message_fault == 0 and reply.protobuf_message_as_bytes
    stranger = Signer(new_signing_key(), signer.din)
    assert resigned(stale, stranger) == stale and resigned(b"\xff\xff", signer) == b"\xff\xff"


def test_the_signer_from_the_environment_is_refused_in_one_line_when_it_cannot_sign(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(OWNER)
    public = tmp_path / "public.pem"
    public.write_bytes(public_key_pem(OWNER))
    din = "1707000-11-J--TG0123456789AB"
    assert signer_from_env({}) is None and signer_from_env({"TEG_V1R_DIN": din}) is None
    signer = signer_from_env({"TEG_V1R_KEY": str(key), "TEG_V1R_DIN": din})
    assert signer is not None and signer.din == din and signer.key.public_der
    for env, needle in (
        ({"TEG_V1R_KEY": str(key)}, "names no DIN"),
        ({"TEG_V1R_KEY": str(key), "TEG_V1R_DIN": "not a din"}, "is not a DIN"),
        ({"TEG_V1R_KEY": str(tmp_path / "missing.pem"), "TEG_V1R_DIN": din}, "No such file"),
        ({"TEG_V1R_KEY": str(public), "TEG_V1R_DIN": din}, "not a private key PEM"),
    ):
        with pytest.raises(ValueError, match=needle) as refused:
            signer_from_env(env)
        assert "\n" not in str(refused.value)
