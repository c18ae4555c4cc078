"""A big clock jump runs in slices: other gateways and clients are answered meanwhile, the end state is exact.

Everything runs in one event loop through httpx's ASGI transport, so "meanwhile" is a fact of
scheduling, not of timing: a request counts as answered during a jump when its answer came back
while the jump's own request was still unanswered. Each end state is compared, to the last bit,
with a reference gateway that made the same jump at once (``Gateway.catch_up``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from emulator import RunOptions, create_app
from emulator.control.routes import ADVANCE_MAX_STEPS
from emulator.device import direct_control
from emulator.device.factory import build_gateway
from emulator.device.gateway import Gateway
from emulator.serving.fleet import FleetApp, build_fleet, member_options

YEAR_S = 365 * 86_400
OPTIONS = RunOptions(firmware="1.15.0", paused=True)
A, B = {"host": "gw-001.localhost"}, {"host": "gw-002.localhost"}


def reference(options: RunOptions, *jumps: float, scenario: str | None = None, cloud_after: int = -1) -> Gateway:
    """A gateway with the same settings that makes the same jumps, each at once (no slices).

    ``cloud_after``: after that many jumps, set the cloud cover to 0.5 as PATCH /_emulator/state does.
    """
    gateway = build_gateway(options.gateway_options())
    if scenario is not None:
        with TestClient(create_app(gateway)) as c:
            assert c.post("/_emulator/scenario", json={"name": scenario}).status_code == 200
    for done, seconds in enumerate(jumps):
        if done == cloud_after:
            direct_control.set_overrides(gateway, replace(gateway.overrides, cloud_cover=0.5))
        gateway.catch_up()
        gateway.clock.advance(seconds)
        gateway.catch_up(max_steps=ADVANCE_MAX_STEPS)
    if len(jumps) == cloud_after:
        direct_control.set_overrides(gateway, replace(gateway.overrides, cloud_cover=0.5))
    return gateway


def exact_state(gateway: Gateway) -> tuple[Any, ...]:
    state = gateway.model.state
    return state.t, state.energy_wh, state.counters, gateway.grid.status, [t.label for t in gateway.fired_timers]


async def until_mid_jump(gateway: Gateway, jump: Awaitable[Any]) -> None:
    for _ in range(200):
        if gateway.catching_up:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the jump never started: {jump}")


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://localhost", timeout=60)


async def year_jump_in_a_fleet() -> None:
    members = build_fleet(OPTIONS, 2, mode="host")
    a = members[0].gateway
    async with client(FleetApp(members, "host", "http")) as http:
        start = (await http.get("/_emulator/state", headers=A)).json()["sim_time_s"]
        jump = asyncio.ensure_future(http.post("/_emulator/clock", json={"advance_s": YEAR_S}, headers=A))
        await until_mid_jump(a, jump)
        read_a = asyncio.ensure_future(http.get("/api/meters/aggregates", headers=A))
        meanwhile = [
            await http.get("/api/meters/aggregates", headers=B),
            await http.get("/api/status", headers=B),
            await http.get("/_emulator/state", headers=B),
            await http.get("/_emulator/fleet", headers=A),
            await http.get("/_emulator/requests", headers=A),  # A's journal never touches its site
        ]
        assert [r.status_code for r in meanwhile] == [200] * 5
        assert not jump.done() and a.catching_up, "the others were answered only after the jump"
        assert not read_a.done(), "a read of the gateway being advanced must wait for the jump, not see half of it"
        answer = await jump
        assert answer.status_code == 200
        assert answer.json()["sim_time_s"] == start + YEAR_S
        aggregates_a = await read_a
        assert meanwhile[2].json()["sim_time_s"] == start  # B did not move
    ref = reference(member_options(OPTIONS, 1, 2), YEAR_S)
    assert exact_state(a) == exact_state(ref)
    async with client(create_app(ref)) as http:
        assert aggregates_a.json() == (await http.get("/api/meters/aggregates")).json()


def test_a_year_jump_on_one_gateway_of_a_fleet_lets_the_other_and_the_control_api_answer_meanwhile() -> None:
    asyncio.run(year_jump_in_a_fleet())


async def queued_jumps_across_scenario_events() -> tuple[Gateway, list[dict[str, Any]], dict[str, Any]]:
    gateway = build_gateway(OPTIONS.gateway_options())
    async with client(create_app(gateway)) as http:
        assert (await http.post("/_emulator/scenario", json={"name": "evening-outage"})).status_code == 200
        first = asyncio.ensure_future(http.post("/_emulator/clock", json={"advance_s": 19 * 3600}))
        await until_mid_jump(gateway, first)
        second = asyncio.ensure_future(http.post("/_emulator/clock", json={"advance_s": 4 * 86_400}))
        write = asyncio.ensure_future(http.patch("/_emulator/state", json={"cloud_cover": 0.5}))
        answers = [(await first).json(), (await second).json()]
        written = (await write).json()
    return gateway, answers, written


def test_jumps_on_one_gateway_queue_and_end_exactly_where_the_same_jumps_made_at_once_end() -> None:
    gateway, answers, written = asyncio.run(queued_jumps_across_scenario_events())
    assert answers[1]["sim_time_s"] - answers[0]["sim_time_s"] == 4 * 86_400  # one after the other, whole
    assert answers[0]["grid"]["status"] == "SystemIslandedActive"  # the 18:30 outage fired inside the first
    assert written["overrides"]["cloud_cover"] == 0.5
    ends = [answer["sim_time_s"] for answer in answers]
    assert written["sim_time_s"] in ends, "the write acted between two jumps or after them, never inside one"
    ref = reference(
        OPTIONS, 19 * 3600, 4 * 86_400, scenario="evening-outage", cloud_after=1 + ends.index(written["sim_time_s"])
    )
    assert exact_state(gateway) == exact_state(ref)


async def jump_cut_off_mid_way() -> tuple[Gateway, dict[str, Any], int]:
    gateway = build_gateway(OPTIONS.gateway_options())
    async with client(create_app(gateway)) as http:
        jump = asyncio.ensure_future(http.post("/_emulator/clock", json={"advance_s": 30 * 86_400}))
        await until_mid_jump(gateway, jump)
        for _ in range(10):
            await asyncio.sleep(0)
        jump.cancel()  # the client went away, or the server was asked to stop
        with pytest.raises(asyncio.CancelledError):
            await jump
        assert gateway.catching_up, "cut off after a few slices, the jump is still half-run"
        state = (await http.get("/_emulator/state")).json()  # the next request finishes it, in slices
        again = await http.post("/_emulator/clock", json={"advance_s": 60})
    return gateway, state, again.status_code


def test_a_jump_whose_client_goes_away_is_finished_by_the_next_request_and_leaves_nothing_stuck() -> None:
    gateway, state, again = asyncio.run(jump_cut_off_mid_way())
    ref = reference(OPTIONS, 30 * 86_400)
    assert state["sim_time_s"] == ref.model.state.t
    assert state["soe_pct"] == ref.model.state.soe_pct
    assert state["energy_wh"]["site_imported"] == ref.model.state.counters.site_imported_wh
    assert state["energy_wh"]["battery_exported"] == ref.model.state.counters.battery_exported_wh
    assert again == 200 and not gateway.catching_up
