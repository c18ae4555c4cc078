"""The emulator serves its own contract and a rendered reference that works offline."""

from __future__ import annotations

import json

import pytest
import yaml

from emulator import contract


@pytest.mark.parametrize("firmware", sorted(contract.firmware_facts()))
def test_the_served_spec_is_this_firmwares_api_and_nothing_else(make_client, firmware):
    client = make_client(firmware=firmware)
    served = client.get("/_emulator/openapi.yaml")
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/yaml")
    document = yaml.safe_load(served.text)
    listed = {(m.upper(), p) for p, item in document["paths"].items() for m in item if m != "parameters"}
    expected = {
        (op.method, op.path)
        for op in contract.operations()
        if op.path != "/" and not op.path.startswith("/_emulator/") and op.serves(firmware) and not op.replay_only
    }
    assert listed == expected and any(p.startswith("/api/") for _, p in listed)
    assert not any(p.startswith("/_emulator/") for _, p in listed)
    assert document["servers"] == [{"url": str(client.base_url)}]
    aggregates = document["paths"]["/api/meters/aggregates"]["get"]
    facts = contract.facts_for(firmware)
    expected_security: list[dict[str, list[str]]] = (
        [] if facts.is_open("GET", "/api/meters/aggregates") else [{"bearerAuth": []}]
    )
    if facts.cookie_sessions and expected_security:
        expected_security.append({"cookieAuth": []})  # the bearer first: a tool sending one judges by it
    assert aggregates["security"] == expected_security
    assert "$ref" not in json.dumps(document).replace('"$ref": "#/', "")  # self-contained: every ref is local


@pytest.mark.parametrize("firmware", ["1.15.0", "21.44.1"])
def test_the_served_spec_tags_what_a_fuzzer_must_leave_out(make_client, firmware):
    """Stopping sitemaster, logging out, the firmware's own 500 and a commissioning-only read are tagged, so
    `schemathesis --exclude-tag ...` leaves them out; everything else carries only its area's tag."""
    document = yaml.safe_load(make_client(firmware=firmware).get("/_emulator/openapi.yaml").text)
    tags = {(m.upper(), p): set(op["tags"]) for p, item in document["paths"].items() for m, op in item.items()}
    fuzz = {"disruptive", "ends-session", "firmware-error", "sitemaster-stopped"}
    tagged = {key: names & fuzz for key, names in tags.items() if names & fuzz}
    expected = {("GET", "/api/sitemaster/stop"): {"disruptive"}, ("GET", "/api/logout"): {"ends-session"}}
    if firmware == "21.44.1":
        expected |= {
            ("POST", "/api/sitemaster/stop"): {"disruptive"},
            ("GET", "/api/powerwalls/phase_usages"): {"firmware-error"},
            ("GET", "/api/synchrometer/ct_voltage_references/options"): {"sitemaster-stopped"},
        }
    assert {k: v for k, v in tagged.items() if k in expected} == expected
    assert all(k in expected or v == {"disruptive"} for k, v in tagged.items())
    declared = {t["name"] for t in document["tags"]}
    assert {t for names in tagged.values() for t in names} <= declared


@pytest.mark.parametrize(("firmware", "missing"), [("1.15.0", 401), ("24.4.0", 403)])
def test_the_served_security_schemes_say_how_this_firmware_refuses_a_missing_session(make_client, firmware, missing):
    document = yaml.safe_load(make_client(firmware=firmware).get("/_emulator/openapi.yaml").text)
    bearer = document["components"]["securitySchemes"]["bearerAuth"]["description"]
    assert f"No session: {missing};" in bearer and "revoked one: 401" in bearer


def test_the_control_api_has_a_document_of_its_own(client):
    document = yaml.safe_load(client.get("/_emulator/control/openapi.yaml").text)
    paths = set(document["paths"])
    assert "/_emulator/clock" in paths and "/_emulator/faults" in paths
    assert all(p.startswith("/_emulator/") or p == "/" for p in paths)


def test_a_served_schema_file_is_the_contracts(client):
    schema = client.get("/_emulator/schemas/responses/meters.aggregates.json")
    assert schema.json() == contract.schema("responses/meters.aggregates.json")


def test_schema_paths_cannot_escape_the_schemas_folder(client):
    for name in ("../pyproject.toml", "responses/../../README.md", "nope.json", "%2e%2e/pyproject.toml"):
        response = client.get(f"/_emulator/schemas/{name}")
        assert response.status_code == 404 and response.json()["code"] == 404


def test_the_reference_page_uses_only_local_assets(client):
    page = client.get("/_emulator/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    bundle = client.get("/_emulator/docs/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert client.get("/_emulator/docs/static/swagger-ui.css").status_code == 200
