"""Deliberately broken gateways: the emulator with one contract violation each.

Each mutant wraps the emulator's ASGI app (tests/support/mutated_gateway.py) and changes one
thing a real firmware bug could change: a field dropped or retyped, a sign flipped, an enum
misspelt, a wrong status, a protected endpoint left open, a counter running backwards, the
power balance broken; and TEDAPI v1r's, listed in tests/support/mutants_v1r.py. The contract suite
must fail on every one, on the check that names the fault (tests/contract_meta/test_contract_mutants.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support.mutant import Body, Edit, Mutant
from tests.support.mutants_v1r import V1R_MUTANTS

__all__ = ["AGG", "MUTANTS", "Mutant", "open_check", "read_check"]


def _set(path: str, value: Callable[[Any], Any]) -> Edit:
    """Change one field (dotted path) of the body with ``value(old)``."""
    keys = path.split(".")

    def edit(body: Body) -> Body:
        node = body
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[keys[-1]] = value(node[keys[-1]])
        return body

    return edit


def _drop(path: str) -> Edit:
    keys = path.split(".")

    def edit(body: Body) -> Body:
        node = body
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
        return body

    return edit


_START = time.monotonic()


def _backwards(old: float) -> float:
    return old - (time.monotonic() - _START) * 100_000


def _each_meter(field: str, value: Callable[[Any], Any]) -> Edit:
    def edit(body: Body) -> Body:
        for meter in body.values():
            meter[field] = value(meter[field])
        return body

    return edit


def read_check(path: str) -> str:
    """The check that a read's status, content type and body are the contract's."""
    return f"test_endpoints.py::test_read_endpoint_answers_as_the_contract_says[*-GET {path}]"


def open_check(path: str) -> str:
    """The check that a protected read refuses a request without credentials."""
    return f"test_auth.py::test_protected_endpoint_refuses_no_credentials[*-GET {path}]"


AGG = "/api/meters/aggregates"
MUTANTS = [
    Mutant(
        "aggregates: site.instant_power dropped",
        "24.4.0",
        AGG,
        _drop("site.instant_power"),
        caught_by=(read_check(AGG), "test_consistency.py::*", "test_invariants.py::*"),
        says="'instant_power' is a required property",
    ),
    Mutant(
        "soe: percentage dropped",
        "1.15.0",
        "/api/system_status/soe",
        _drop("percentage"),
        caught_by=(read_check("/api/system_status/soe"),),
    ),
    Mutant(
        "aggregates: battery.instant_power as a string",
        "1.15.0",
        AGG,
        _set("battery.instant_power", str),
        caught_by=(read_check(AGG),),
    ),
    Mutant(
        "status: up_time_seconds as a number",
        "24.4.0",
        "/api/status",
        _set("up_time_seconds", lambda v: 5.0),
        caught_by=(read_check("/api/status"),),
    ),
    Mutant(
        "aggregates: solar sign flipped",
        "24.4.0",
        AGG,
        _set("solar.instant_power", lambda v: -v),
        caught_by=("test_invariants.py::test_home_load_is_the_sum_of_site_battery_and_solar[*]",),
    ),
    Mutant(
        "system_status: battery block p_out sign flipped",
        "24.4.0",
        "/api/system_status",
        _set("battery_blocks.0.p_out", lambda v: -v + 3000),
        caught_by=("test_consistency.py::test_battery_power_matches_the_blocks[*]",),
    ),
    Mutant(
        "grid_status: enum misspelt",
        "1.15.0",
        "/api/system_status/grid_status",
        _set("grid_status", lambda v: "SystemGridConected"),
        caught_by=(read_check("/api/system_status/grid_status"),),
    ),
    Mutant(
        "operation: real_mode misspelt",
        "24.4.0",
        "/api/operation",
        _set("real_mode", lambda v: "self-consumption"),
        caught_by=(read_check("/api/operation"),),
    ),
    Mutant(
        "site_info: 404 instead of 200",
        "1.15.0",
        "/api/site_info",
        status=404,
        caught_by=(read_check("/api/site_info"),),
    ),
    Mutant(
        "aggregates: 502 while sitemaster runs", "24.4.0", AGG, status=502, caught_by=(read_check(AGG), open_check(AGG))
    ),
    Mutant(
        "status: text/plain content type",
        "1.15.0",
        "/api/status",
        content_type="text/plain",
        caught_by=(read_check("/api/status"),),
    ),
    Mutant(
        "operation left open (24.4.0)",
        "24.4.0",
        "/api/operation",
        open_up=True,
        caught_by=(open_check("/api/operation"),),
    ),
    Mutant("config left open (1.15.0)", "1.15.0", "/api/config", open_up=True, caught_by=(open_check("/api/config"),)),
    Mutant(
        "any password accepted",
        "24.4.0",
        accept_any_password=True,
        caught_by=("test_auth.py::test_wrong_password_is_refused[*]",),
    ),
    Mutant(
        "logout does not revoke",
        "24.4.0",
        keep_session_on_logout=True,
        caught_by=(
            "test_auth.py::test_protected_endpoint_refuses_revoked_credentials[*]",
            "test_auth.py::test_logout_revokes_the_session[*]",
        ),
    ),
    Mutant(
        "login sets no cookies",
        "24.4.0",
        "/api/login/Basic",
        strip_cookies=True,
        caught_by=("test_auth.py::test_login_answers_as_the_contract_says[*]",),
        says="login set cookies",
    ),
    Mutant(
        "aggregates: site.energy_imported runs backwards",
        "1.15.0",
        AGG,
        _set("site.energy_imported", _backwards),
        caught_by=(read_check(AGG), "test_invariants.py::test_energy_counters_never_decrease[*]"),
        says="energy_imported",
    ),
    Mutant(
        "aggregates: every counter frozen",
        "24.4.0",
        AGG,
        _each_meter("energy_exported", lambda v: 1000.0),
        caught_by=(
            "test_consistency.py::test_meter_counters_match_the_aggregates[*]",
            "test_invariants.py::test_energy_counters_move_with_the_power_that_flows[*]",
        ),
    ),
    Mutant(
        "aggregates: load off balance by 500 W",
        "1.15.0",
        AGG,
        _set("load.instant_power", lambda v: v + 500),
        caught_by=("test_invariants.py::test_home_load_is_the_sum_of_site_battery_and_solar[*]",),
    ),
    Mutant(
        "soe: 101 %",
        "24.4.0",
        "/api/system_status/soe",
        _set("percentage", lambda v: 101.0),
        caught_by=(
            "test_consistency.py::test_soe_matches_the_energy_remaining[*]",
            read_check("/api/system_status/soe"),
            "test_invariants.py::test_state_of_energy_stays_within_0_and_100[*]",
        ),
    ),
    Mutant(
        "system_status: energy remaining halved",
        "24.4.0",
        "/api/system_status",
        _set("nominal_energy_remaining", lambda v: v / 2),
        caught_by=("test_consistency.py::test_soe_matches_the_energy_remaining[*]",),
    ),
    Mutant(
        "powerwalls: one listed twice",
        "24.4.0",
        "/api/powerwalls",
        _set("powerwalls", lambda v: v + v),
        caught_by=("test_consistency.py::test_powerwall_counts_agree[*]",),
    ),
    Mutant(
        "aggregates: 55 Hz on a 60 Hz grid",
        "24.4.0",
        AGG,
        _each_meter("frequency", lambda v: 55.0 if v else v),
        caught_by=("test_invariants.py::test_frequency_is_near_the_grid_codes_nominal[*]",),
    ),
    Mutant(
        "sitemaster: reports stopped while running",
        "1.15.0",
        "/api/sitemaster",
        _set("running", lambda v: False),
        caught_by=("test_endpoints.py::test_sitemaster_is_running_while_the_suite_reads[*]",),
    ),
    # The facts that moved into schemas/firmware/: each broken as a firmware bug would break it.
    Mutant(
        "a 1.15.0 login leaves sitemaster running",
        "1.15.0",
        login_keeps_sitemaster=True,
        caught_by=("test_disruptive.py::test_a_login_does_to_sitemaster_what_the_firmware_facts_say[*]",),
    ),
    Mutant(
        "soe left open on 24.4.0 (open only on 1.x)",
        "24.4.0",
        "/api/system_status/soe",
        open_up=True,
        caught_by=(open_check("/api/system_status/soe"),),
    ),
    Mutant(
        "TEDAPI answers without the gateway password",
        "25.10.1",
        tedapi_open=True,
        caught_by=("test_tedapi.py::test_tedapi_refuses_no_credentials_with_401[*]",),
    ),
    *V1R_MUTANTS,
    Mutant(
        "a staged 1.15.0 operation applies at once",
        "1.15.0",
        applies_at_once=True,
        start_hour_utc=3,
        caught_by=("test_writes.py::test_an_operation_change_takes_effect_when_the_firmware_facts_say[*]",),
    ),
]
