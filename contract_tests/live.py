"""Samples of live data, taken over time, for the invariant and consistency tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contract_tests.spec import body_problems
from contract_tests.target import Target
from emulator.contract import operation_for

METERS = ("site", "battery", "load", "solar")
COUNTERS = ("energy_exported", "energy_imported")
ISLANDED = {"SystemIslandedActive", "SystemIslandedReady"}


@dataclass(frozen=True)
class Sample:
    aggregates: dict[str, Any]
    soe: dict[str, Any]
    grid_status: dict[str, Any]
    system_status: dict[str, Any] | None  # newer firmware only


def read_json(target: Target, path: str, purpose: str = "") -> Any:
    """GET ``path``'s body, checked against the contract first: a check that reads fields out of a body
    it has not checked fails on a missing or mistyped field with a KeyError or TypeError, which names
    neither the endpoint nor the field; this fails with the contract's own words for what is wrong."""
    response = target.read(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}{purpose}"
    body = response.json()
    operation = operation_for("GET", path)
    schema = operation.response_schema(200) if operation is not None else None
    problems = body_problems(f"GET {path}", schema, body) if schema else []
    assert not problems, "\n".join(problems)
    return body


def _json(target: Target, path: str) -> Any:
    return read_json(target, path, " while sampling live data")


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


# -- what can change between two reads ---------------------------------------------------------------
# Two reads are never simultaneous: on a real gateway (and an emulator running at any speed) power flows
# between them, and counters and the state of energy move. Tolerances that compare two reads therefore
# come from the readings' own timestamps and the power they report, never from a fixed number that only
# a paused clock or a fast poll would meet.
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def reading_time_s(meter: dict[str, Any]) -> float:
    """A meter reading's own clock (``last_communication_time``, RFC 3339 with up to nanoseconds), in seconds."""
    text = str(meter.get("last_communication_time", ""))
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise AssertionError(f"last_communication_time {text!r} is not an RFC 3339 time") from None


def elapsed_s(first: dict[str, Any], second: dict[str, Any]) -> float:
    """Time between two readings of a meter, by their own timestamps."""
    return abs(reading_time_s(second) - reading_time_s(first))


def energy_drift_wh(elapsed: float, *powers_w: float) -> float:
    """How far an energy counter can move in ``elapsed`` seconds at the larger of the powers seen (+20 %
    for power that changed in between, +1 Wh for rounding)."""
    return 1.2 * max(abs(p) for p in powers_w) * elapsed / 3600 + 1.0
