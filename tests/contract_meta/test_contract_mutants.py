"""The contract suite bites: it passes on the emulator served as a 'real gateway' and fails on every mutant.

Each case serves the emulator (or a mutant of it) in-process and runs
``pytest contract_tests --gateway-url ...`` against it in a subprocess, exactly as an
owner runs the suite against a gateway: no control API, all tiers allowed, no pacing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.http.context import app_context
from emulator.serving.app import create_app
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from tests.support.mutants import MUTANTS, Mutant, MutatedGateway
from tests.support.paths import ROOT

NOON = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)  # 12:00 in Los Angeles: sun, battery and grid all busy
PASSWORD = "mutant-pw"
GW_PASSWORD = "MUTANTGWPW"  # the TEDAPI (QR sticker) password of every served gateway


def serve(firmware: str, mutant: Mutant | None) -> tuple[ServerThread, str]:
    start = NOON if mutant is None else NOON.replace(hour=mutant.start_hour_utc)
    options = EmulatorOptions(firmware=firmware, speed=60, start=start, password=PASSWORD, gw_password=GW_PASSWORD)
    gateway = build_gateway(options)
    tls = self_signed().identity if gateway.facts.uses_tls else None
    app = create_app(gateway, tls=tls is not None)
    if mutant is not None:
        token = gateway.login("customer", gateway.password, "mutant@example.com").token
        gateway.run_sitemaster()
        app = MutatedGateway(app, mutant, token, gateway.password)
    return ServerThread(app, tls=tls).start(), gateway.password


def run_suite(url: str, password: str, *extra: str, read_only: bool = False) -> subprocess.CompletedProcess[str]:
    tiers = [] if read_only else ["--allow-writes", "--allow-disruptive"]
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "contract_tests"),
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "-q",
        "--tb=line",
        "-x",
        "--gateway-url",
        url,
        "--gateway-password",
        password,
        "--gateway-gw-password",
        GW_PASSWORD,
        "--pace",
        "0",
        "--sample-gap",
        "0.05",
        *tiers,
        *extra,
    ]
    # No third-party plugins: the suite needs none, and importing schemathesis' costs 3 s a run.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=ROOT, env=env)


@pytest.mark.parametrize("firmware", ["1.15.0", "21.44.1", "24.4.0"])  # 25.10.1: the read-only tier test below
def test_the_suite_passes_on_the_emulator_served_as_a_real_gateway(firmware: str) -> None:
    server, password = serve(firmware, None)
    try:
        result = run_suite(server.url, password)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_there_are_at_least_twenty_mutants() -> None:
    assert len(MUTANTS) >= 20 and len({m.name for m in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_suite_fails_on_the_mutant(mutant: Mutant) -> None:
    server, password = serve(mutant.firmware, mutant)
    try:
        result = run_suite(server.url, password)
    finally:
        server.stop()
    assert result.returncode == 1, f"exit {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    assert "1 failed" in result.stdout or "1 error" in result.stdout


def test_a_failing_write_test_still_restores_the_original_settings() -> None:
    """The restore ledger runs at session end even when the write round-trip fails midway."""
    liar = Mutant("operation: a changed reserve reads back as 42", "24.4.0", "/api/operation", _changed_reads_42)
    gateway = build_gateway(EmulatorOptions(firmware="24.4.0", speed=60, start=NOON, password=PASSWORD))
    tls = self_signed().identity
    token = gateway.login("customer", gateway.password, "mutant@example.com").token
    server = ServerThread(MutatedGateway(create_app(gateway, tls=True), liar, token, gateway.password), tls=tls).start()
    before = (gateway.operation.mode, gateway.operation.backup_reserve_percent)
    try:
        result = run_suite(server.url, gateway.password, "-k", "operation_round_trips")
    finally:
        server.stop()
    assert result.returncode == 1 and "1 failed" in result.stdout
    assert (gateway.operation.mode, gateway.operation.backup_reserve_percent) == before


def _changed_reads_42(body: dict) -> dict:
    """The default reserve (20 %) reads true, so the suite learns the right original; any other reads 42."""
    return body if body["backup_reserve_percent"] == 20.0 else {**body, "backup_reserve_percent": 42.0}


@pytest.mark.parametrize("firmware", ["1.15.0", "24.4.0", "25.10.1"])
def test_the_read_only_tier_sends_nothing_that_changes_a_real_site(firmware: str) -> None:
    """What an owner's gateway sees by default: reads, logins, logging out the suite's own sessions, and on
    1.15.0 the sitemaster restart each login needs; never a setting, a commit or a stop."""
    from emulator.contract import operation_for

    options = EmulatorOptions(firmware=firmware, speed=60, start=NOON, password=PASSWORD, gw_password=GW_PASSWORD)
    gateway = build_gateway(options)
    tls = self_signed().identity if gateway.facts.uses_tls else None
    app = create_app(gateway, journal_size=10_000, tls=tls is not None)
    server = ServerThread(app, tls=tls).start()
    try:
        result = run_suite(server.url, gateway.password, read_only=True)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-2000:]
    entries = app_context(app).journal.query()
    allowed = {("POST", "/api/login/Basic"), ("GET", "/api/logout"), ("GET", "/api/sitemaster/run")}
    acting = [(e.method, e.path) for e in entries if (operation_for(e.method, e.path) or _unknown).safety != "read"]
    assert set(acting) <= allowed, set(acting) - allowed
    logins = [i for i, e in enumerate(entries) if e.path == "/api/login/Basic" and e.status == 200]
    restarts = [i for i, e in enumerate(entries) if e.path == "/api/sitemaster/run"]
    expected = [i + 1 for i in logins] if firmware == "1.15.0" else []  # only a 1.15.0 login stops sitemaster
    assert restarts == expected  # each restart right after a login, and only then


class _unknown:
    safety = "unknown"


def test_a_spent_request_budget_skips_the_rest_and_says_why() -> None:
    server, password = serve("1.15.0", None)
    try:
        result = run_suite(server.url, password, "-rs", "--max-requests", "30", read_only=True)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-2000:]
    assert "the budget of 30 requests is spent (raise --max-requests)" in result.stdout
    assert "contract suite, http" in result.stdout and ", 30 requests" in result.stdout
