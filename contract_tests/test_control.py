"""Situations only the emulator can stage (its control API): what a client sees during them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests import live
from contract_tests.target import CONTROL, Target

REPORT_AREA = "emulator-staged situations"

pytestmark = pytest.mark.needs(CONTROL)


@pytest.fixture
def outage(target: Target) -> Iterator[None]:
    target.remember("utility grid up", lambda: target.control("POST", "grid", {"connected": True}))
    target.control("POST", "grid", {"connected": False})
    target.let_time_pass(60)
    yield
    assert target.restore_all() == []


def test_an_outage_islands_the_site_and_the_battery_carries_the_home(target: Target, outage: None) -> None:
    sample = live.take(target)
    assert sample.grid_status["grid_status"] == "SystemIslandedActive"
    meters = sample.aggregates
    assert abs(meters["site"]["instant_power"]) <= 50
    assert meters["load"]["instant_power"] > 0
    gap = meters["load"]["instant_power"] - meters["battery"]["instant_power"] - meters["solar"]["instant_power"]
    assert abs(gap) <= live.balance_tolerance_w(meters)


def test_soe_falls_when_the_battery_carries_the_home_at_night(target: Target) -> None:
    state = target.control("GET", "state")
    target.remember(
        "solar and load overrides", lambda: target.control("PATCH", "state", {"solar_w": None, "load_w": None})
    )
    target.control("PATCH", "state", {"solar_w": 0, "load_w": 2000})
    before = live.take(target).soe["percentage"]
    target.let_time_pass(1800)
    after = live.take(target).soe["percentage"]
    assert after < before, f"SOE {before} -> {after} while the battery carried a 2 kW load for half an hour"
    assert target.restore_all() == []
    assert target.control("GET", "state")["overrides"] == state["overrides"]
