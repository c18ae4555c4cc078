"""The emulator serves its own contract and a rendered reference that works offline."""

from __future__ import annotations

import yaml

from emulator import contract


def test_the_spec_and_its_schemas_are_served(client):
    served = client.get("/_emulator/openapi.yaml")
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(served.text) == contract.load_spec()
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
