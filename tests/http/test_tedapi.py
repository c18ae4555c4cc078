"""The TEDAPI over HTTP: credentials, both protobuf API versions, bad input, and the 25.10.1 LAN surface.

Requests are built with pypowerwall 0.22.2's own protobuf modules and queries,
so the emulator's definitions are checked against the client's wire format.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from typing import Any

import pytest
from pypowerwall.tedapi.protobuf.V2024_06 import tedapi_pb2 as legacy
from pypowerwall.tedapi.queries import QueryRole, apply_query, get_query
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway

AUTH = ("Tesla_Energy_Device", "ABCDEFGHIJ")
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")


def client(firmware: str = "25.10.1", **options: Any) -> TestClient:
    gateway = build_gateway(EmulatorOptions(firmware=firmware, gw_password="ABCDEFGHIJ", paused=True, **options))
    return TestClient(create_app(gateway))


def query_request(role: QueryRole, din: str) -> bytes:
    pb = legacy.Message()
    pb.message.deliveryChannel = 1
    pb.message.sender.local = 1
    pb.message.recipient.din = din
    pb.message.payload.send.num = 2
    pb.message.payload.send.payload.value = 1
    apply_query(pb.message.payload.send, get_query(role))
    pb.tail.value = 1
    return pb.SerializeToString()


def config_request(din: str) -> bytes:
    pb = legacy.Message()
    pb.message.deliveryChannel = 1
    pb.message.sender.local = 1
    pb.message.recipient.din = din
    pb.message.config.send.num = 1
    pb.message.config.send.file = "config.json"
    pb.tail.value = 1
    return pb.SerializeToString()


def test_din_needs_the_gateway_password() -> None:
    c = client()
    missing = c.get("/tedapi/din")
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Basic")
    assert c.get("/tedapi/din", auth=("Tesla_Energy_Device", "WRONGPASSW")).status_code == 403
    assert c.get("/tedapi/din", auth=("customer", "ABCDEFGHIJ")).status_code == 403
    good = c.get("/tedapi/din", auth=AUTH)
    assert good.status_code == 200 and good.text.startswith("1707000-11-J--TG")


def test_the_tedapi_is_404_on_firmware_that_never_had_it() -> None:
    assert client("1.15.0").get("/tedapi/din", auth=AUTH).status_code == 404


def test_the_default_gateway_password_is_ten_letters_drawn_from_the_seed() -> None:
    one = build_gateway(EmulatorOptions(firmware="25.10.1", seed=1)).gw_password
    again = build_gateway(EmulatorOptions(firmware="25.10.1", seed=1)).gw_password
    other = build_gateway(EmulatorOptions(firmware="25.10.1", seed=2)).gw_password
    assert one == again != other and len(one) == 10 and one.isalpha() and one.isupper()


def test_config_and_status_agree_with_the_emulator_state() -> None:
    c = client(powerwalls=2)
    din = c.get("/tedapi/din", auth=AUTH).text
    answer = legacy.Message()
    answer.ParseFromString(c.post("/tedapi/v1", content=config_request(din), auth=AUTH).content)
    config = json.loads(answer.message.config.recv.file.text)
    assert config["vin"] == din and config["battery_blocks"][0]["type"] == "Powerwall3"
    assert len(config["battery_blocks"][0]["battery_expansions"]) == 1
    reply = c.post("/tedapi/v1", content=query_request(QueryRole.DEVICE_CONTROLLER_BASIC, din), auth=AUTH)
    assert reply.headers["content-type"] == "application/octet-stream"
    answer.ParseFromString(reply.content)
    status = json.loads(answer.message.payload.recv.text)
    state = c.get("/_emulator/state").json()
    system = status["control"]["systemStatus"]
    assert 100 * system["nominalEnergyRemainingWh"] / system["nominalFullPackEnergyWh"] == pytest.approx(
        state["soe_pct"], abs=0.01
    )
    powers = {m["location"].lower(): m["realPowerW"] for m in status["control"]["meterAggregates"]}
    assert powers == pytest.approx(state["power_w"])
    assert "isDetectingWiredMeters" in status["neurio"] and "teslaRemoteMeter" not in status  # only what was asked


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"\xff\xff\xff", 400),  # not protobuf
        (b"\x12\x02\x08\x01", 400),  # protobuf, but no envelope
        (config_request("x")[:-5], 400),  # truncated
        (b"\x0a\x02\x08\x01", 400),  # an envelope asking for nothing known
        (b"\x00" * (65 * 1024), 413),  # huge
    ],
)
def test_bad_bodies_get_a_4xx_and_change_nothing(body: bytes, status: int) -> None:
    c = client()
    before = c.get("/_emulator/state").json()
    reply = c.post("/tedapi/v1", content=body, auth=AUTH)
    assert reply.status_code == status and reply.json()["code"] == status
    assert c.get("/_emulator/state").json() == before


def test_an_unsigned_or_unknown_query_is_refused() -> None:
    c = client()
    din = c.get("/tedapi/din", auth=AUTH).text
    pb = legacy.Message()
    pb.ParseFromString(query_request(QueryRole.DEVICE_CONTROLLER_BASIC, din))
    pb.message.payload.send.code = b""
    assert c.post("/tedapi/v1", content=pb.SerializeToString(), auth=AUTH).status_code == 403
    pb.message.payload.send.code = b"sig"
    pb.message.payload.send.payload.text = "mutation { reboot }"
    assert c.post("/tedapi/v1", content=pb.SerializeToString(), auth=AUTH).status_code == 400
    assert c.post("/tedapi/v1", content=config_request("1232100-00-E--NOPE"), auth=AUTH).status_code == 404


def test_a_powerwall_3_serves_three_api_paths_and_no_portal() -> None:
    c = client()
    password = c.get("/_emulator/credentials").json()["password"]
    assert password == "ABCDEFGHIJ"[-5:]  # the customer password is the sticker's last five
    login = c.post("/api/login/Basic", json={"username": "customer", "password": password, "email": ""})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    for path in ("/api/meters/aggregates", "/api/system_status/soe", "/api/system_status/grid_status"):
        assert c.get(path, headers=headers).status_code == 200
    for path in ("/api/status", "/api/system_status", "/api/sitemaster", "/api/devices/vitals"):
        assert c.get(path, headers=headers).status_code == 404
    assert c.get("/").status_code == 404
    assert c.get("/", headers={"accept": "text/html"}).status_code == 200


def test_the_generated_protobuf_code_matches_the_proto_files() -> None:
    """Both wire formats (the envelope, and v1r's RoutableMessage): every .proto is compiled, none is stale."""
    from emulator.tedapi import regenerate

    on_disk = sorted(p.name for p in (regenerate.HERE / "proto").glob("*.proto"))
    assert (
        sorted(p.name for p in regenerate.PROTOS) == on_disk == ["teg_emulator_tedapi.proto", "teg_emulator_v1r.proto"]
    )
    done = subprocess.run(
        [sys.executable, "-m", "emulator.tedapi.regenerate", "--check"], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()


def test_the_powerwall_3_certificate_is_ec_p256_and_tls_1_3_only(stack) -> None:
    import ssl
    import urllib.request

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    from emulator.serving.server import ServerThread
    from emulator.serving.tls import self_signed

    gateway = build_gateway(EmulatorOptions(firmware="25.10.1"))
    cert = self_signed(key_type=gateway.facts.tls_key_type, min_version=gateway.facts.tls_min_version)
    with ServerThread(create_app(gateway), tls=cert.identity) as server:
        served = ssl.get_server_certificate(("127.0.0.1", server.port))  # what a client is shown
        key = x509.load_pem_x509_certificate(served.encode()).public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
        old = cert.client_context()
        old.maximum_version = ssl.TLSVersion.TLSv1_2
        with pytest.raises(OSError):
            urllib.request.urlopen(server.url + "/api/system_status/soe", context=old, timeout=5)
        modern = cert.client_context()
        with pytest.raises(urllib.error.HTTPError) as refused:  # TLS 1.3 handshakes; then it wants a login
            urllib.request.urlopen(server.url + "/api/system_status/soe", context=modern, timeout=5)
        assert refused.value.code == 403
        refused.value.close()  # the error holds the answer's socket open until closed


@pytest.mark.parametrize("firmware", ["24.4.0", "25.10.1"])
def test_decoded_documents_validate_against_the_contract(firmware: str) -> None:
    from emulator import contract

    c = client(firmware, powerwalls=2)
    din = c.get("/tedapi/din", auth=AUTH).text
    answer = legacy.Message()
    answer.ParseFromString(c.post("/tedapi/v1", content=config_request(din), auth=AUTH).content)
    contract.validator("tedapi/config.json").validate(json.loads(answer.message.config.recv.file.text))
    for role in (QueryRole.DEVICE_CONTROLLER_BASIC, QueryRole.DEVICE_CONTROLLER_FULL, QueryRole.COMPONENTS):
        answer.ParseFromString(c.post("/tedapi/v1", content=query_request(role, din), auth=AUTH).content)
        contract.validator("tedapi/device_controller.json").validate(json.loads(answer.message.payload.recv.text))
