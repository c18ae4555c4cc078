"""Endpoints that describe the same site must agree with each other."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests import live
from contract_tests.target import Target

REPORT_AREA = "cross-endpoint consistency"

pytestmark = pytest.mark.firmware("21.44.1", "24.4.0")  # 1.15.0 has no /api/system_status or per-meter endpoints


def _get(target: Target, path: str) -> Any:
    response = target.read(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    return response.json()


def test_soe_matches_the_energy_remaining(target: Target) -> None:
    soe = _get(target, "/api/system_status/soe")["percentage"]
    status = _get(target, "/api/system_status")
    ratio = 100 * status["nominal_energy_remaining"] / status["nominal_full_pack_energy"]
    assert abs(soe - ratio) <= 5, (
        f"soe percentage {soe:.2f} but nominal_energy_remaining/nominal_full_pack_energy = {ratio:.2f} %"
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


def test_battery_power_matches_the_blocks(target: Target) -> None:
    status = _get(target, "/api/system_status")
    aggregates = _get(target, "/api/meters/aggregates")
    blocks = sum(b["p_out"] or 0 for b in status["battery_blocks"])
    battery = aggregates["battery"]["instant_power"]
    assert abs(blocks - battery) <= max(250, 0.15 * abs(battery)), (
        f"battery_blocks p_out sum {blocks} W vs aggregates battery {battery} W"
    )


def test_island_state_matches_grid_status(target: Target) -> None:
    grid = _get(target, "/api/system_status/grid_status")["grid_status"]
    island = _get(target, "/api/system_status")["system_island_state"]
    assert island == grid, f"system_status.system_island_state {island} vs grid_status {grid}"


@pytest.mark.parametrize(("path", "meter"), [("/api/meters/site", "site"), ("/api/meters/solar", "solar")])
def test_meter_counters_match_the_aggregates(target: Target, path: str, meter: str) -> None:
    meters = _get(target, path)
    aggregates = _get(target, "/api/meters/aggregates")[meter]
    readings = meters[0]["Cached_readings"]
    for counter in live.COUNTERS:
        assert abs(readings[counter] - aggregates[counter]) <= 50, (
            f"{path}[0].Cached_readings.{counter} {readings[counter]} vs aggregates {meter}.{counter} {aggregates[counter]}"
        )
