"""The TEDAPI (GET /tedapi/din, POST /tedapi/v1): read-only requests, decoded and checked against schemas/tedapi/.

Runs where the firmware facts serve the TEDAPI (24.4.0 and a Powerwall 3's 25.10.1) and the run
has the gateway password (``--gateway-gw-password`` / ``$TEG_GW_PASSWORD``; the emulator's own).
Every request only reads: the DIN, the system information, config.json and the live status.
"""

from __future__ import annotations

import httpx
import pytest

from contract_tests import tedapi
from contract_tests.spec import body_problems
from contract_tests.target import Target
from emulator.contract.signed_query import status_query

REPORT_AREA = "TEDAPI"
pytestmark = pytest.mark.serves("GET /tedapi/din", "POST /tedapi/v1")


@pytest.fixture(scope="module")
def din(target: Target) -> str:
    if target.gw_password is None:
        pytest.skip("the TEDAPI needs the gateway password: --gateway-gw-password or $TEG_GW_PASSWORD")
    if target.din is None:
        response = target.tedapi("GET", "/tedapi/din")
        assert response.status_code == 200, f"GET /tedapi/din with the gateway password: {response.status_code}"
        target.din = response.text.strip()
    return target.din


def _post(target: Target, body: bytes) -> httpx.Response:
    response = target.tedapi("POST", "/tedapi/v1", body)
    assert response.status_code == 200, f"POST /tedapi/v1: {response.status_code} {response.text[:200]}"
    kind = response.headers.get("content-type", "")
    assert kind.startswith("application/octet-stream"), f"POST /tedapi/v1 answered {kind!r}, not protobuf"
    return response


def test_din_names_the_gateway(target: Target, din: str) -> None:
    part, sep, serial = din.partition("--")
    assert sep and part and serial, f"GET /tedapi/din answered {din!r}, not a DIN (<part>--<serial>)"


def test_system_info_names_the_firmware(target: Target, din: str) -> None:
    version = tedapi.firmware_version(_post(target, tedapi.system_info_request(din)).content)
    assert version.split()[0] == target.version.split()[0], (
        f"the TEDAPI reports firmware {version!r}, the suite identified {target.version!r}"
    )


def test_config_json_matches_its_schema(target: Target, din: str) -> None:
    document = tedapi.config_document(_post(target, tedapi.config_request(din)).content)
    problems = body_problems("TEDAPI config.json", "tedapi/config.json", document)
    assert not problems, "\n".join(problems)


def test_status_query_matches_its_schema(target: Target, din: str) -> None:
    query = status_query()
    if query is None:
        pytest.skip("the status query must carry Tesla's signature: install pypowerwall==0.22.2, which ships it")
    data = tedapi.query_data(_post(target, tedapi.query_request(din, query)).content)
    problems = body_problems("TEDAPI DeviceControllerQuery", "tedapi/device_controller.json", data)
    assert not problems, "\n".join(problems)
    assert isinstance(data, dict) and isinstance(data.get("control"), dict), f"no control section: {data}"
    aggregates = data["control"].get("meterAggregates")
    assert isinstance(aggregates, list) and aggregates, "the status has no meter aggregates"


@pytest.mark.parametrize("path", ["/tedapi/din", "/tedapi/v1"])
def test_tedapi_refuses_no_credentials_with_401(target: Target, din: str, path: str) -> None:
    method, body = ("GET", None) if path == "/tedapi/din" else ("POST", tedapi.system_info_request(din))
    response = target.client.request(method, path, content=body)
    assert response.status_code == 401, f"{method} {path} without credentials answered {response.status_code}"


@pytest.mark.parametrize("path", ["/tedapi/din", "/tedapi/v1"])
def test_tedapi_refuses_a_wrong_password_with_403(target: Target, din: str, path: str) -> None:
    method, body = ("GET", None) if path == "/tedapi/din" else ("POST", tedapi.system_info_request(din))
    wrong = "WRONG" + (target.gw_password or "")[:5]
    response = target.tedapi(method, path, body, password=wrong)
    assert response.status_code == 403, f"{method} {path} with a wrong gateway password answered {response.status_code}"
