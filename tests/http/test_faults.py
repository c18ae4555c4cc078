"""Every fault kind, as a real HTTP client sees it against a live emulator."""

from __future__ import annotations

import json
import time

import httpx
import pytest

AGGREGATES = "/api/meters/aggregates"
pytestmark = pytest.mark.teg_emulator(firmware="1.15.0")  # plain HTTP keeps the fault checks about faults


@pytest.fixture(autouse=True)
def _on_each_stack(stack):
    """Every fault below the ASGI app (drop, tls_stall) lives in the transport: each test runs on both stacks."""


def get(handle, path: str = AGGREGATES, **kwargs) -> httpx.Response:
    return httpx.get(handle.url + path, timeout=10, **kwargs)


def test_latency_delays_the_answer(teg_emulator):
    rule = teg_emulator.fault(AGGREGATES, "latency", latency_ms=300, count=1)
    started = time.perf_counter()
    assert get(teg_emulator).status_code == 200
    assert time.perf_counter() - started >= 0.3
    entry = teg_emulator.requests(path=AGGREGATES)[-1]
    assert entry["fault"] == rule and entry["latency_ms"] >= 300


@pytest.mark.parametrize(
    ("preset", "status", "body"),
    [
        ("sitemaster_busy", 502, b""),
        (
            "config_busy",
            503,
            {"code": 503, "error": "current config mode is busy", "message": "current config mode is busy"},
        ),
        (
            "rate_limited",
            429,
            {"code": 429, "error": "Api Limit reached for this endpoint", "message": "API Limit Reached"},
        ),
        # the served firmware's own answer to a stale token (its facts' errors.invalid_credentials): 1.15.0's here
        ("token_expired", 401, {"code": 401, "error": "Unauthorized", "message": "Token Expired"}),
    ],
)
def test_status_presets_answer_what_real_gateways_do(teg_emulator, preset, status, body):
    teg_emulator.fault(AGGREGATES, "status", preset=preset, method="GET")
    response = get(teg_emulator)
    assert response.status_code == status
    assert (response.content if body == b"" else response.json()) == body


def test_a_given_status_and_text_body(teg_emulator):
    teg_emulator.fault("/api/system_status/*", "status", status=418, body="short and stout")
    response = get(teg_emulator, "/api/system_status/soe")
    assert response.status_code == 418 and response.text == "short and stout"
    assert response.headers["content-type"].startswith("text/plain")
    assert get(teg_emulator).status_code == 200  # other paths are untouched


def test_drop_closes_the_connection_without_an_answer(teg_emulator):
    teg_emulator.fault(AGGREGATES, "drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        get(teg_emulator)
    assert get(teg_emulator).status_code == 200


def test_truncate_cuts_the_json_body(teg_emulator):
    full = get(teg_emulator).content
    teg_emulator.fault(AGGREGATES, "truncate", count=1)
    response = get(teg_emulator)
    assert response.status_code == 200 and 0 < len(response.content) < len(full)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_malformed_answers_200_with_broken_json(teg_emulator):
    teg_emulator.fault("/api/system_status/soe", "malformed")
    response = get(teg_emulator, "/api/system_status/soe")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_slow_body_drips_the_body(teg_emulator):
    teg_emulator.fault(AGGREGATES, "slow_body", chunk_delay_ms=50)
    chunks = []
    started = time.perf_counter()
    with httpx.stream("GET", teg_emulator.url + AGGREGATES, timeout=10) as response:
        for chunk in response.iter_raw():
            chunks.append(chunk)
    assert time.perf_counter() - started >= 0.35  # eight chunks, 50 ms apart
    assert len(chunks) > 1 and json.loads(b"".join(chunks))["site"]


def test_count_limits_a_rule_to_the_next_n_requests(teg_emulator):
    teg_emulator.fault(AGGREGATES, "status", status=503, count=2)
    assert [get(teg_emulator).status_code for _ in range(4)] == [503, 503, 200, 200]
    rule = teg_emulator.control("GET", "faults")["faults"][0]
    assert rule["hits"] == 2 and rule["count"] == 0


def test_a_time_window_bounds_a_rule(teg_emulator):
    # Windows of 2 s, and sleeps measured from when each rule was made: a loaded CI runner can take
    # a few hundred milliseconds for one request, which made 0.3 s windows flip either way.
    window = 2.0
    made = time.monotonic()
    teg_emulator.fault(AGGREGATES, "status", status=503, for_s=window)
    assert get(teg_emulator).status_code == 503
    time.sleep(max(0.0, made + window + 0.2 - time.monotonic()))
    assert get(teg_emulator).status_code == 200
    made = time.monotonic()
    teg_emulator.fault(AGGREGATES, "status", status=503, after_s=window)
    assert get(teg_emulator).status_code == 200
    time.sleep(max(0.0, made + window + 0.2 - time.monotonic()))
    assert get(teg_emulator).status_code == 503


@pytest.mark.teg_emulator(seed=42)
def test_probabilistic_faults_repeat_under_the_same_seed(teg_emulator):
    def pattern() -> list[int]:
        teg_emulator.reset()
        teg_emulator.fault(AGGREGATES, "status", status=503, probability=0.5)
        return [get(teg_emulator).status_code for _ in range(30)]

    first = pattern()
    assert 503 in first and 200 in first
    assert pattern() == first


def test_the_method_filter(teg_emulator):
    teg_emulator.fault("/api/login/Basic", "status", status=500, method="POST")
    assert (
        httpx.post(teg_emulator.url + "/api/login/Basic", json={"password": teg_emulator.password}).status_code == 500
    )
    assert get(teg_emulator).status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"path": AGGREGATES, "kind": "explode"},
        {"path": AGGREGATES},
        {"kind": "drop"},
        {"path": "/api/nothing/here", "kind": "drop"},
        {"path": AGGREGATES, "kind": "latency"},
        {"path": AGGREGATES, "kind": "status"},
        {"path": AGGREGATES, "kind": "status", "status": 99},
        {"path": AGGREGATES, "kind": "drop", "probability": 1.5},
        {"path": AGGREGATES, "kind": "drop", "count": 0},
        {"path": AGGREGATES, "kind": "drop", "status": 500},
        {"path": AGGREGATES, "kind": "status", "status": 500, "preset": "config_busy"},
    ],
)
def test_bad_rules_are_refused_and_nothing_is_stored(teg_emulator, rule):
    response = httpx.post(teg_emulator.url + "/_emulator/faults", json=rule)
    assert response.status_code == 400 and response.json()["message"]
    assert teg_emulator.control("GET", "faults") == {"faults": []}


def test_rules_can_be_listed_and_deleted_one_by_one(teg_emulator):
    first = teg_emulator.fault(AGGREGATES, "status", status=503)
    teg_emulator.fault("/api/system_status/soe", "drop")
    assert httpx.delete(f"{teg_emulator.url}/_emulator/faults/{first}").status_code == 200
    assert [r["path"] for r in teg_emulator.control("GET", "faults")["faults"]] == ["/api/system_status/soe"]
    assert httpx.delete(f"{teg_emulator.url}/_emulator/faults/{first}").status_code == 404
    teg_emulator.clear_faults()
    assert get(teg_emulator, "/api/system_status/soe").status_code == 200


@pytest.mark.teg_emulator(firmware="24.4.0")
def test_faults_work_over_tls(teg_emulator):
    teg_emulator.fault("/api/status", "status", preset="config_busy", count=1)
    assert httpx.get(teg_emulator.url + "/api/status", verify=False).status_code == 503


@pytest.mark.teg_emulator(speed=0, tls=True)
def test_tls_stall_holds_the_handshake_then_serves(teg_emulator):
    teg_emulator.fault("*", "tls_stall", stall_s=1.0, count=1)
    with httpx.Client(base_url=teg_emulator.url, verify=False) as client:
        with pytest.raises(httpx.ConnectTimeout):  # TCP connects; the TLS handshake never completes in time
            client.get("/api/status", timeout=httpx.Timeout(5, connect=0.3))
        assert client.get("/api/status", timeout=5).status_code == 200  # count=1: the next connection is served
    assert [f["hits"] for f in teg_emulator.control("GET", "faults")["faults"]] == [1]


def test_tls_stall_on_plain_http_is_refused(teg_emulator):
    response = httpx.post(teg_emulator.url + "/_emulator/faults", json={"path": "*", "kind": "tls_stall", "stall_s": 1})
    assert response.status_code == 400 and "HTTPS" in response.json()["message"]


@pytest.mark.teg_emulator(tls=True)
def test_tls_stall_must_apply_to_every_connection(teg_emulator):
    response = httpx.post(
        teg_emulator.url + "/_emulator/faults",
        json={"path": "/api/status", "kind": "tls_stall", "stall_s": 1},
        verify=False,
    )
    assert response.status_code == 400 and "'*'" in response.json()["message"]
