"""Samples of live data, taken over time, for the invariant and consistency tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract_tests.target import Target

METERS = ("site", "battery", "load", "solar")
COUNTERS = ("energy_exported", "energy_imported")
ISLANDED = {"SystemIslandedActive", "SystemIslandedReady"}


@dataclass(frozen=True)
class Sample:
    aggregates: dict[str, Any]
    soe: dict[str, Any]
    grid_status: dict[str, Any]
    system_status: dict[str, Any] | None  # newer firmware only


def _json(target: Target, path: str) -> Any:
    response = target.read(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code} while sampling live data"
    return response.json()


def take(target: Target) -> Sample:
    system_status = _json(target, "/api/system_status") if target.serves("GET", "/api/system_status") else None
    return Sample(
        aggregates=_json(target, "/api/meters/aggregates"),
        soe=_json(target, "/api/system_status/soe"),
        grid_status=_json(target, "/api/system_status/grid_status"),
        system_status=system_status,
    )


def series(target: Target, count: int = 5, sim_gap_s: float = 600.0) -> list[Sample]:
    samples = [take(target)]
    for _ in range(count - 1):
        target.let_time_pass(sim_gap_s)
        samples.append(take(target))
    return samples


def balance_tolerance_w(aggregates: dict[str, Any]) -> float:
    """What a real meter set meets: 50 W, or 3 % of the largest flow (captures show 0-30 W)."""
    largest = max(abs(aggregates[m]["instant_power"]) for m in METERS)
    return max(50.0, 0.03 * float(largest))


def nominal_frequency(site_info: dict[str, Any]) -> float | None:
    code = site_info.get("grid_code")
    if isinstance(code, dict) and code.get("grid_freq_setting"):
        return float(code["grid_freq_setting"])
    text = code.get("grid_code", "") if isinstance(code, dict) else str(code or "")
    for nominal in ("50", "60"):
        if text.startswith(f"{nominal}Hz"):
            return float(nominal)
    return None
