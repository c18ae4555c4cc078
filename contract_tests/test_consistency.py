"""Endpoints that describe the same site must agree with each other."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests import live
from contract_tests.target import Target

REPORT_AREA = "cross-endpoint consistency"

pytestmark = pytest.mark.firmware("21.44.1", "24.4.0")  # 1.15.0 has no /api/system_status or per-meter endpoints


def _get(target: Target, path: str) -> Any:
    return live.read_json(target, path)


def test_soe_matches_the_energy_remaining(target: Target) -> None:
    """5 points for how firmware scales soe, plus the energy the battery's own counters show moving
    between an aggregates read before and one after (+20 % for conversion losses)."""
    before = _get(target, "/api/meters/aggregates")["battery"]
    soe = _get(target, "/api/system_status/soe")["percentage"]
    status = _get(target, "/api/system_status")
    after = _get(target, "/api/meters/aggregates")["battery"]
    full_wh = status["nominal_full_pack_energy"]
    ratio = 100 * status["nominal_energy_remaining"] / full_wh
    moved_wh = sum(after[c] - before[c] for c in live.COUNTERS)
    moved_pct = 100 * (1.2 * moved_wh + 1.0) / max(full_wh, 1)
    assert abs(soe - ratio) <= 5 + moved_pct, (
        f"soe percentage {soe:.2f} but nominal_energy_remaining/nominal_full_pack_energy = {ratio:.2f} % "
        f"(tolerance 5 + {moved_pct:.2f} points for the {moved_wh:.0f} Wh the battery moved between the reads)"
    )


def test_battery_blocks_add_up_to_the_system(target: Target) -> None:
    status = _get(target, "/api/system_status")
    blocks = [b for b in status["battery_blocks"] if not b.get("disabled_reasons")]
    for field in ("nominal_full_pack_energy", "nominal_energy_remaining"):
        total = sum(b[field] for b in blocks)
        assert abs(total - status[field]) <= 0.01 * status[field] + 1, (
            f"battery_blocks {field} sum {total} != {status[field]}"
        )


def test_powerwall_counts_agree(target: Target) -> None:
    powerwalls = _get(target, "/api/powerwalls")["powerwalls"]
    status = _get(target, "/api/system_status")
    assert len(powerwalls) == len(status["battery_blocks"]), (
        f"/api/powerwalls lists {len(powerwalls)}, system_status battery_blocks {len(status['battery_blocks'])}"
    )
    assert status["available_blocks"] == len([b for b in status["battery_blocks"] if not b.get("disabled_reasons")])


def test_site_info_energy_matches_the_packs(target: Target) -> None:
    site_info = _get(target, "/api/site_info")
    full_kwh = _get(target, "/api/system_status")["nominal_full_pack_energy"] / 1000
    stated = site_info["nominal_system_energy_kWh"]
    assert abs(stated - full_kwh) <= 0.15 * stated, (
        f"site_info nominal_system_energy_kWh {stated} vs packs {full_kwh:.1f} kWh"
    )


SAME_FLOW_S = 5.0
"""Readings this close by their own timestamps describe the same flow (a gateway refreshes its meters about
once a second); further apart, the battery may have swung anywhere within its rating in between."""


def test_battery_power_matches_the_blocks(target: Target) -> None:
    """Within 250 W or 15 %, plus however much the battery's power changed around the read, when the reads
    are close enough in time to see one flow; otherwise within the battery's rated charge and discharge."""
    before = _get(target, "/api/meters/aggregates")["battery"]
    status = _get(target, "/api/system_status")
    after = _get(target, "/api/meters/aggregates")["battery"]
    blocks = sum(b["p_out"] or 0 for b in status["battery_blocks"])
    p0, p1 = before["instant_power"], after["instant_power"]
    low, high = -status["max_charge_power"], status["max_discharge_power"]
    assert low - 250 <= blocks <= high + 250, f"battery_blocks p_out sum {blocks} W outside the rating {low}..{high} W"
    elapsed = live.elapsed_s(before, after)
    if elapsed > SAME_FLOW_S:
        return
    tolerance = max(250, 0.15 * abs(p0)) + abs(p1 - p0)
    assert abs(blocks - p0) <= tolerance, (
        f"battery_blocks p_out sum {blocks} W vs aggregates battery {p0} W (then {p1} W, {elapsed:.1f} s later; "
        f"tolerance {tolerance:.0f} W)"
    )


def test_island_state_matches_grid_status(target: Target) -> None:
    grid = _get(target, "/api/system_status/grid_status")["grid_status"]
    island = _get(target, "/api/system_status")["system_island_state"]
    assert island == grid, f"system_status.system_island_state {island} vs grid_status {grid}"


@pytest.mark.parametrize(("path", "meter"), [("/api/meters/site", "site"), ("/api/meters/solar", "solar")])
def test_meter_counters_match_the_aggregates(target: Target, path: str, meter: str) -> None:
    """The same meter through two endpoints. Counters never fall, so a reading taken between two aggregates
    reads lies between their counters, give or take what flowed while its own timestamp was outside them."""
    first = _get(target, "/api/meters/aggregates")[meter]
    readings = _get(target, path)[0]["Cached_readings"]
    last = _get(target, "/api/meters/aggregates")[meter]
    t, t_first, t_last = (live.reading_time_s(m) for m in (readings, first, last))
    outside = max(0.0, t_first - t, t - t_last)
    slack = live.energy_drift_wh(outside, first["instant_power"], readings["instant_power"], last["instant_power"])
    for counter in live.COUNTERS:
        low, value, high = first[counter], readings[counter], last[counter]
        assert low - slack <= value <= high + slack, (
            f"{path}[0].Cached_readings.{counter} {value} is not between aggregates {meter}.{counter} {low} "
            f"(read before) and {high} (read after), give or take {slack:.1f} Wh"
        )
