"""The contract suite bites: it passes on the emulator served as a 'real gateway' and fails on every mutant,
on the check that names the mutant's fault.

Each case serves the emulator (or a mutant of it) in-process and runs ``pytest contract_tests --gateway-url
...`` against it in a subprocess, exactly as an owner runs the suite against a gateway: no control API, all
tiers allowed, no pacing (tests/support/contract_runs.py).
"""

from __future__ import annotations

import pytest

from emulator.contract import operation_for
from emulator.http.context import app_context
from emulator.tedapi.commands import registered, writes
from tests.support.contract_runs import misjudged, run_suite, served, verdict
from tests.support.mutants import AGG, MUTANTS, Mutant, read_check

# What each TEDAPI v1r command does to a site (../shared/research/tedapi-v1r.md section 7). The read-only tier
# sends only reads; the writes and disruptive tiers send every change but the one no client sends the gateway
# (a key is added through Tesla's cloud).
V1R_READS = {
    "common.get_system_info_request",
    "filestore.read_file_request",
    "graphql.query_request",
    "teg.get_backup_events_request",
    "teg.get_delay_battery_calibration_status_request",
    "authorization.list_authorized_clients_request",
}
V1R_CHANGES = {
    "filestore.update_file_request",
    "teg.set_island_mode_request",
    "teg.trigger_islanding_black_start_request",
    "teg.schedule_manual_backup_event_request",
    "teg.cancel_manual_backup_event_request",
    "teg.dispatch_battery_power_request",
    "teg.delay_battery_calibration_request",
    "authorization.add_authorized_client_request",
    "authorization.remove_authorized_client_request",
}
V1R_NEVER_SENT = {"authorization.add_authorized_client_request"}


def test_every_v1r_command_the_gateway_takes_is_known_as_a_read_or_a_change() -> None:
    """A command added to the gateway must be placed here too, so the read-only tier's proof below covers it."""
    assert {f"{payload}.{member}" for payload, member in registered()} == V1R_READS | V1R_CHANGES
    assert {f"{payload}.{member}" for payload, member in writes()} == V1R_CHANGES


@pytest.mark.parametrize("firmware", ["1.15.0", "21.44.1", "24.4.0", "25.10.1"])
def test_the_suite_passes_on_the_emulator_served_as_a_real_gateway(firmware: str) -> None:
    with served(firmware) as gateway:
        result = run_suite(gateway.url, gateway.password, *gateway.key_options)
    assert result.returncode == 0, result.tail()
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert not gateway.watch.problems
    if firmware == "25.10.1":  # every tier ran: each change the suite makes over v1r was sent
        assert set(gateway.watch.v1r_commands) >= V1R_CHANGES - V1R_NEVER_SENT


def test_there_are_at_least_twenty_mutants() -> None:
    assert len(MUTANTS) >= 20 and len({m.name for m in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_suite_fails_on_the_mutant_on_the_check_that_names_its_fault(mutant: Mutant) -> None:
    problems = verdict(mutant)
    assert not problems, "\n".join(problems)


def _crash(body: object) -> object:
    raise RuntimeError("a mutant with a bug of its own")


# The meta-test above, judged: each of these makes the suite fail, but not because it saw the fault named.
NOT_CAUGHT = [
    (Mutant("crashes on aggregates", "24.4.0", AGG, _crash, caught_by=(read_check(AGG),)), "raised RuntimeError"),
    (Mutant("answers 500 on aggregates", "24.4.0", AGG, status=500, caught_by=(read_check(AGG),)), "answered 500"),
    (
        Mutant("names the wrong check", "1.15.0", "/api/site_info", status=404, caught_by=(read_check(AGG),)),
        "not a check that names the fault",
    ),
    (Mutant("names no check", "1.15.0", "/api/site_info", status=404), "names no check"),
]


@pytest.mark.parametrize(("mutant", "why"), NOT_CAUGHT, ids=[m.name for m, _ in NOT_CAUGHT])
def test_the_meta_test_fails_when_the_suite_fails_for_another_reason(mutant: Mutant, why: str) -> None:
    """A mutant that crashes, or an emulator answering 500, makes the suite fail too: that is no catch."""
    problems = verdict(mutant)
    assert any(why in problem for problem in problems), problems


def test_the_meta_test_fails_when_the_suite_passes() -> None:
    harmless = Mutant("changes nothing", "1.15.0", caught_by=(read_check(AGG),))
    with served("1.15.0") as gateway:
        result = run_suite(gateway.url, gateway.password)
    assert misjudged(harmless, result, gateway.watch) and result.returncode == 0


def test_a_failing_write_test_still_restores_the_original_settings() -> None:
    """The restore ledger runs at session end even when the write round-trip fails midway."""
    liar = Mutant("operation: a changed reserve reads back as 42", "24.4.0", "/api/operation", _changed_reads_42)
    with served("24.4.0", liar) as served_liar:
        gateway = served_liar.gateway
        before = (gateway.operation.mode, gateway.operation.backup_reserve_percent)
        result = run_suite(served_liar.url, gateway.password, "-k", "operation_round_trips")
    assert result.returncode == 1 and [check.id for check in result.checks] == [
        "test_writes.py::test_operation_round_trips_and_is_restored[24.4.0]"
    ]
    assert (gateway.operation.mode, gateway.operation.backup_reserve_percent) == before


def _changed_reads_42(body: dict) -> dict:
    """The default reserve (20 %) reads true, so the suite learns the right original; any other reads 42."""
    return body if body["backup_reserve_percent"] == 20.0 else {**body, "backup_reserve_percent": 42.0}


@pytest.mark.parametrize("firmware", ["1.15.0", "24.4.0", "25.10.1"])
def test_the_read_only_tier_sends_nothing_that_changes_a_real_site(firmware: str) -> None:
    """What an owner's gateway sees by default: reads, logins, logging out the suite's own sessions, and on
    1.15.0 the sitemaster restart each login needs; never a setting, a commit or a stop."""
    with served(firmware, journal_size=10_000) as gateway:
        result = run_suite(gateway.url, gateway.password, *gateway.key_options, read_only=True)
    assert result.returncode == 0, result.tail()
    entries = app_context(gateway.app).journal.query()
    allowed = {("POST", "/api/login/Basic"), ("GET", "/api/logout"), ("GET", "/api/sitemaster/run")}
    allowed |= {("POST", "/tedapi/v1r")}  # a door for reads and writes: what it was asked is checked below
    acting = [(e.method, e.path) for e in entries if (operation_for(e.method, e.path) or _unknown).safety != "read"]
    assert set(acting) <= allowed, set(acting) - allowed
    sent = set(gateway.watch.v1r_commands)
    assert not sent & V1R_CHANGES and sent <= V1R_READS | {""}, sent - V1R_READS  # "": no envelope, refused
    if firmware == "25.10.1":  # the v1r checks did run, the key list and the calibration status among them
        assert len(gateway.watch.v1r_commands) >= 16 and sent >= V1R_READS, V1R_READS - sent
    logins = [i for i, e in enumerate(entries) if e.path == "/api/login/Basic" and e.status == 200]
    restarts = [i for i, e in enumerate(entries) if e.path == "/api/sitemaster/run"]
    expected = [i + 1 for i in logins] if firmware == "1.15.0" else []  # only a 1.15.0 login stops sitemaster
    assert restarts == expected  # each restart right after a login, and only then


class _unknown:
    safety = "unknown"


def test_a_spent_request_budget_skips_the_rest_and_says_why() -> None:
    with served("1.15.0") as gateway:
        result = run_suite(gateway.url, gateway.password, "-rs", "--max-requests", "30", read_only=True)
    assert result.returncode == 0, result.tail()
    assert "the budget of 30 requests is spent (raise --max-requests)" in result.stdout
    assert "contract suite, http" in result.stdout and ", 30 requests" in result.stdout
