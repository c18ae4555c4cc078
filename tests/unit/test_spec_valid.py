"""openapi.yaml and schemas/ are valid, complete and say nothing twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from emulator import contract

SCHEMAS = sorted(contract.schemas_dir().rglob("*.json"))


def refs_in(value) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return own + [r for v in value.values() for r in refs_in(v)]
    if isinstance(value, list):
        return [r for v in value for r in refs_in(v)]
    return []


def test_openapi_passes_the_validator():
    spec, base_uri = read_from_filename(str(contract.spec_path()))
    validate(spec, base_uri=base_uri)
    assert spec["openapi"].startswith("3.1")


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.relative_to(contract.schemas_dir()).as_posix())
def test_each_schema_is_valid_2020_12_and_named_by_its_path(path: Path):
    document = json.loads(path.read_text("utf-8"))
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == path.relative_to(contract.schemas_dir()).as_posix()
    assert document.get("title")


def test_every_ref_resolves_and_every_schema_is_used():
    root = contract.schemas_dir()
    used: set[str] = set()
    for ref in refs_in(contract.load_spec()):
        assert ref.startswith("./schemas/"), ref
        name = ref.removeprefix("./schemas/")
        assert (root / name).is_file(), ref
        used.add(name)
    for path in SCHEMAS:
        name = path.relative_to(root).as_posix()
        for ref in refs_in(json.loads(path.read_text("utf-8"))):
            if ref.startswith("#"):  # a definition inside the same schema
                continue
            target = (path.parent / ref).resolve().relative_to(root.resolve()).as_posix()
            assert (root / target).is_file(), f"{name}: {ref}"
            used.add(target)
            contract.validator(name)  # and the registry resolves it
    files = {
        p.relative_to(root).as_posix() for p in SCHEMAS if p.parent == root
    }  # top level: file formats (scenario.json)
    orphans = {p.relative_to(root).as_posix() for p in SCHEMAS} - used - files
    assert not orphans, f"schemas nothing refers to: {sorted(orphans)}"


def test_the_schemas_bite():
    assert list(contract.validator("responses/system_status.soe.json").iter_errors({"percentage": 101}))
    meters: dict[str, dict[str, object]] = {k: {} for k in ("site", "battery", "load", "solar", "foo")}
    assert list(contract.validator("responses/meters.aggregates.json").iter_errors(meters))
    status = {
        "start_time": "2024-01-01 00:00:00 +0800",
        "up_time_seconds": "5ms",
        "is_new": False,
        "version": "24.4.0 0fe780c9",
        "git_hash": "0" * 40,
    }
    assert list(contract.validator("responses/status.json").iter_errors(status))
    status["up_time_seconds"] = "402h8m19.937911668s"
    assert not list(contract.validator("responses/status.json").iter_errors(status))
    assert list(
        contract.validator("responses/system_status.grid_status.json").iter_errors(
            {"grid_status": "SystemGridConected"}
        )
    )
    assert list(
        contract.validator("responses/sitemaster.json").iter_errors(
            {"running": True, "uptime": "166594", "connected_to_tesla": True}
        )
    )


def test_operation_ids_are_unique():
    ids = [op.operation_id for op in contract.operations()]
    assert len(ids) == len(set(ids))


# The security schemes each access kind of the firmware facts (schemas/firmware.json: paths) stands for
SCHEMES = {
    "open": set(),
    "signed": set(),  # TEDAPI v1r: no HTTP credentials, the body is signed
    "login": {"bearerAuth", "cookieAuth"},
    "gateway_password": {"tedapiBasic"},
    "login_or_gateway_password": {"tedapiBasic", "bearerAuth", "cookieAuth"},
}


def test_every_protected_operation_declares_its_security():
    facts = contract.firmware_facts()
    for path, item in contract.load_spec()["paths"].items():
        for method, op in item.items():
            accesses = {access for f in facts.values() if (access := f.access(method, path)) is not None}
            schemes = {name for requirement in op["security"] for name in requirement}
            expected = set().union(*(SCHEMES[a] for a in accesses)) if accesses else set()
            if not path.startswith("/_emulator/") and path != "/":
                assert schemes == expected, f"{method} {path}: {sorted(accesses)}"
            if expected and accesses - {"open"}:
                assert "401" in op["responses"], f"{method} {path}"
            assert re.match(r"^/((api|_emulator|tedapi)/|$)", path)  # "/" is the gateway's web page


def test_every_gateway_operation_says_how_safe_it_is_to_call_on_a_real_site():
    for path, item in contract.load_spec()["paths"].items():
        for method, op in item.items():
            if path.startswith("/api/"):
                assert op.get("x-teg-safety") in ("read", "write", "disruptive"), f"{method} {path}"
    unsafe_gets = {op.path for op in contract.operations() if op.method == "GET" and op.safety != "read"}
    # the GETs that act: start or stop sitemaster, commit staged settings (1.15.0), end a session
    assert unsafe_gets == {"/api/sitemaster/run", "/api/sitemaster/stop", "/api/config/completed", "/api/logout"}


def _numbers(value, where: str):
    """(where, schema) for every number or integer a schema describes, following file $refs."""
    if isinstance(value, dict):
        types = value.get("type")
        if {"number", "integer"} & set(types if isinstance(types, list) else [types]):
            yield where, value
        for key, item in value.items():
            yield from _numbers(item, f"{where}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{where}[{i}]")


def test_every_number_a_request_carries_has_the_range_the_server_reads():
    """The door leaves integers' range to the schemas (a real gateway ignores unknown fields, however large
    the number in them), so each number a request schema names must state both ends of its range."""
    spec = contract.load_spec()
    files = {
        content["schema"]["$ref"].removeprefix("./")
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "requestBody" in op
        for content in op["requestBody"]["content"].values()
        if "$ref" in content.get("schema", {})
    }
    assert len(files) >= 15
    unbounded = [
        f"{name}{where}"
        for name in sorted(files)
        for where, schema in _numbers(json.loads((contract.spec_path().parent / name).read_text("utf-8")), "")
        if not ({"minimum", "exclusiveMinimum", "enum", "const"} & set(schema))
        or not ({"maximum", "exclusiveMaximum", "enum", "const"} & set(schema))
    ]
    assert not unbounded, unbounded
