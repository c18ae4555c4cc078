"""Polls are answered from one rendering per sample, exactly as the full stack would answer them, and a fast
clock samples reads on real time so that a poll costs the same at any speed factor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from emulator.api import API_ROUTES, snapshot_reads
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.app import create_app, gateway_app

READS = sorted(snapshot_reads())
START = datetime(2026, 7, 1, 19, 0, tzinfo=UTC).timestamp()


def answers(client: TestClient, headers: dict[str, str]) -> dict[str, tuple[int, list[tuple[str, str]], bytes]]:
    """Every snapshot read's status, headers (Date aside) and body."""
    found = {}
    for path in READS:
        response = client.get(path, headers=headers)
        kept = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
        found[path] = (response.status_code, kept, response.content)
    return found


def login(client: TestClient, firmware: str, password: str) -> dict[str, str]:
    user = "customer" if firmware != "1.15.0" else ""
    response = client.post("/api/login/Basic", json={"username": user, "password": password, "email": "a@b.c"})
    assert response.status_code == 200
    if firmware == "1.15.0":
        return {"Authorization": "Bearer " + response.json()["token"]}
    return {"Cookie": f"AuthCookie={response.cookies['AuthCookie']}"}


@pytest.mark.parametrize("firmware", ["1.15.0", "24.4.0"])
def test_polls_served_from_cached_bytes_answer_exactly_what_the_full_stack_answers(fake_time, firmware):
    gateway = build_gateway(EmulatorOptions(firmware=firmware, paused=True), monotonic=fake_time)
    fast = TestClient(create_app(gateway))
    full = TestClient(gateway_app(gateway, list(API_ROUTES)))  # no fast path: router, handlers, Response
    assert fast.get("/api/meters/aggregates").status_code in (200, 401, 403)
    states = [answers(fast, {}), answers(full, {})]  # logged out (1.15: open reads 200, the rest 401)
    headers = login(fast, firmware, gateway.password)  # 1.15: the login stops sitemaster, live reads 502
    states += [answers(fast, headers), answers(full, headers)]
    fast.post("/_emulator/sitemaster", json={"running": True})
    states += [answers(fast, headers), answers(full, headers)]
    for fast_answers, full_answers in zip(states[::2], states[1::2], strict=True):
        assert fast_answers == full_answers
    statuses = {status for state in states for status, _, _ in state.values()}
    assert 200 in statuses and statuses & {401, 403}  # both answered and declined reads were compared
    journal = fast.get("/_emulator/requests", params={"path": "/api/meters/aggregates"}).json()
    assert len(journal["requests"]) == 4 and journal["requests"][-1]["status"] == 200


def test_pollers_of_one_sample_get_the_same_bytes_and_a_new_sample_after_250_ms(client, fake_time):
    client.post("/_emulator/clock", json={"paused": False, "speed": 1})
    first = client.get("/api/meters/aggregates").content
    fake_time.tick(0.1)
    assert client.get("/api/meters/aggregates").content == first
    fake_time.tick(0.2)
    assert client.get("/api/meters/aggregates").content != first


def sim_times(client: TestClient, fake_time, real_steps: list[float]) -> list[float]:
    seen = []
    for step in real_steps:
        fake_time.tick(step)
        seen.append(client.get("/_emulator/state").json()["sim_time_s"])
    return seen


def test_a_clock_above_62x_samples_reads_every_4_ms_of_real_time(client, fake_time):
    client.post("/_emulator/clock", json={"paused": False, "speed": 3600})
    a, b, c = sim_times(client, fake_time, [0.0, 0.001, 0.004])
    assert a == b  # 3.6 sim seconds later, the same sample
    assert c - a == pytest.approx(5 * 3.6, abs=0.25)  # 5 ms after the first: the 250 ms sample of that instant
    client.post("/_emulator/clock", json={"speed": 60})
    a, b, c = sim_times(client, fake_time, [0.0, 0.001, 0.005])
    assert a == b and c - a == pytest.approx(0.25, abs=1e-6)  # at 60x, the 250 ms sample as before


def test_writes_and_clock_jumps_act_at_once_whatever_the_speed(client, fake_time):
    client.post("/_emulator/clock", json={"paused": False, "speed": 3600})
    before = client.get("/_emulator/state").json()
    client.post("/_emulator/clock", json={"advance_s": 365 * 86400})
    after = client.get("/_emulator/state").json()
    assert after["sim_time_s"] - before["sim_time_s"] >= 365 * 86400
    client.post("/_emulator/grid", json={"connected": False})
    assert client.get("/api/system_status/grid_status").json()["grid_status"] != "SystemGridConnected"
