"""Hostile request bodies against every operation that takes one, on every firmware profile.

The operations come from openapi.yaml (those with a requestBody), the profiles from the
emulator's registry, so a new operation or profile is covered without editing this file.
Hypothesis draws body shapes, depths, numbers, encodings and content types; every answer
must be below 500, nothing may be logged as an error, and a refusal must leave the
observable state (control state, fault rules, site name, password) exactly as it was.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import contract, create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.firmware import PROFILES
from tests.support.app import gateway_of


def _operations() -> list[tuple[str, str, str]]:
    spec = contract.load_spec()
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "requestBody" in op:
                for firmware in op.get("x-teg-firmware", sorted(PROFILES)):
                    if firmware in PROFILES:
                        found.append((firmware, method.upper(), path))
    return found


OPERATIONS = _operations()
HOSTILE_NUMBERS = st.sampled_from(
    ["1e400", "-1e400", "1e-400", "9" * 400, "-" + "9" * 30, "9007199254740993", "NaN", "Infinity", "-0", "1E+308"]
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_json_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)


# Bodies these operations accept, so one hostile value can reach past the schema to the handler.
# Operations not listed still get their schema's field names with hostile values (kind "fields").
SKELETONS: dict[str, dict[str, object]] = {
    "/_emulator/faults": {"path": "/api/status", "kind": "status", "status": 200, "body": {"x": 1}},
    "/_emulator/clock": {"advance_s": 1},
    "/_emulator/state": {"soe_pct": 50},
    "/_emulator/operation": {"mode": "backup", "backup_reserve_percent": 20},
    "/api/operation": {"real_mode": "self_consumption", "backup_reserve_percent": 20},
    "/api/login/Basic": {"username": "customer", "password": "x", "email": "", "force_sm_off": False},
}
HOSTILE_VALUES = [
    *["1e400", "9" * 400, "9007199254740993", "NaN"],
    *['"\\ud800"', "[" * 40 + "]" * 40, '"' + "x" * 70_000 + '"', "null", '{"a":1e400}', '["\\udfff"]'],
]


@st.composite
def hostile_text(draw: st.DrawFn, fields: list[str], skeleton: dict[str, object]) -> str:
    """A body as JSON text: a shape, a deep nest, or the operation's own fields with hostile values."""
    kind = draw(st.sampled_from(["shape", "deep", "fields", "surrogate", "garbage", "skeleton", "skeleton"]))
    if kind == "skeleton":
        name = draw(st.sampled_from(sorted({*skeleton, *fields} or {"x"})))
        parts = [f"{json.dumps(k)}:{json.dumps(v)}" for k, v in skeleton.items() if k != name]
        return "{" + ",".join([*parts, f"{json.dumps(name)}:{draw(st.sampled_from(HOSTILE_VALUES))}"]) + "}"
    if kind == "shape":
        return json.dumps(draw(_json_values))
    if kind == "deep":
        depth = draw(st.sampled_from([33, 200, 1000, 5000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        return opener * depth + "1" + closer * depth
    if kind == "surrogate":
        key = draw(st.sampled_from(fields or ["x"]))
        return "{" + json.dumps(key) + ': "\\ud800"}'
    if kind == "garbage":
        return draw(st.text(max_size=40))
    names = draw(st.lists(st.sampled_from(fields or ["x"]), min_size=1, max_size=4, unique=True))
    parts = []
    for name in names:
        value = draw(st.one_of(HOSTILE_NUMBERS, _json_values.map(json.dumps)))
        parts.append(f"{json.dumps(name)}:{value}")
    return "{" + ",".join(parts) + "}"


ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1", "utf-8-sig"])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-16",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ]
)


def _fields(path: str, method: str) -> list[str]:
    """Property names of the operation's JSON request schema (empty when it has none)."""
    op = contract.load_spec()["paths"][path][method.lower()]
    ref = op["requestBody"]["content"].get("application/json", {}).get("schema", {}).get("$ref", "")
    if not ref.startswith("schemas/"):
        return []
    with open(contract.spec_path().parent / ref, encoding="utf-8") as f:
        return sorted(json.load(f).get("properties", {}))


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture
def error_log() -> Iterator[_Errors]:
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def _client(firmware: str) -> tuple[TestClient, dict[str, str]]:
    gateway = build_gateway(EmulatorOptions(firmware=firmware, paused=True, login_throttle=1_000_000))
    client = TestClient(create_app(gateway), raise_server_exceptions=False)
    password = gateway.password
    body = {"username": "customer", "email": "me@example.com", "password": password, "force_sm_off": False}
    token = client.post("/api/login/Basic", json=body).json()["token"]
    return client, {"Authorization": f"Bearer {token}"}


def _observable(client: TestClient, headers: dict[str, str]) -> Any:
    """What a refusal must leave unchanged; each read must answer too (an accepted value must stay servable)."""
    gateway = gateway_of(client)
    reads = [client.get(p) for p in ("/_emulator/state", "/_emulator/faults")]
    reads.append(client.get("/api/site_info/site_name", headers=headers))
    assert all(r.status_code < 500 for r in reads), [(r.url.path, r.status_code) for r in reads]
    return reads[0].json(), reads[1].json(), gateway.site_name, gateway.password, reads[2].text


def _concrete(client: TestClient, headers: dict[str, str], path: str) -> str:
    if "{serial}" in path:
        meters = client.get("/api/meters", headers=headers).json()
        serial = (
            meters[0]["serial"] if isinstance(meters, list) and meters else "VAH4810AB0231"
        )  # a firmware may not list
        path = path.replace("{serial}", serial)
    return path


@pytest.mark.parametrize(("firmware", "method", "path"), OPERATIONS, ids=[" ".join(o) for o in OPERATIONS])
def test_hostile_bodies_are_refused_without_5xx_traceback_or_state_change(
    firmware: str, method: str, path: str, error_log: _Errors
) -> None:
    fields = _fields(path, method)
    skeleton = SKELETONS.get(path, {})
    holder: dict[str, Any] = {}

    def fresh() -> None:
        holder["client"], holder["headers"] = _client(firmware)
        holder["url"] = _concrete(holder["client"], holder["headers"], path)

    fresh()

    def send(text: str, encoding: str = "utf-8", content_type: str | None = "application/json") -> None:
        client, headers = holder["client"], holder["headers"]
        raw = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
        sent = dict(headers)
        if content_type is not None:
            sent["content-type"] = content_type
        before = _observable(client, headers)
        response = client.request(method, holder["url"], content=raw, headers=sent)
        assert response.status_code < 500, (text[:200], encoding, content_type, response.text[:300])
        assert not error_log.records, [r.getMessage() for r in error_log.records]
        after = _observable(client, headers)
        if response.status_code >= 400:
            assert after == before, (text[:200], response.status_code)
        else:
            fresh()  # an accepted body changed the gateway: start the next example from scratch

    for name in skeleton:  # every hostile value in every field of a body that is otherwise accepted
        for value in HOSTILE_VALUES:
            rest = [f"{json.dumps(k)}:{json.dumps(v)}" for k, v in skeleton.items() if k != name]
            send("{" + ",".join([*rest, f"{json.dumps(name)}:{value}"]) + "}")

    @settings(
        max_examples=6,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(text=hostile_text(fields, skeleton), encoding=ENCODINGS, content_type=CONTENT_TYPES)
    def check(text: str, encoding: str, content_type: str | None) -> None:
        send(text, encoding, content_type)

    check()
