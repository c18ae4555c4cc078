"""`teg-emulator verify` as a user types it: a report, JUnit XML, honest exit codes, one-line errors."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.support.contract_runs import GW_PASSWORD, served
from tests.support.mutants import MUTANTS
from tests.support.paths import ROOT

ENV = {**{k: v for k, v in os.environ.items() if k not in ("TEG_PASSWORD", "TEG_GW_PASSWORD")}, "PYTHONPATH": str(ROOT)}


def verify(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator.cli", "verify", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**ENV, **env},
        cwd=ROOT,
    )


def test_verify_without_a_gateway_checks_a_fresh_emulator_and_writes_both_reports(tmp_path: Path) -> None:
    """The command docs/verify.md shows (docs/examples/verify-emulator.sh), with its reports written to tmp_path."""
    line = (ROOT / "docs" / "examples" / "verify-emulator.sh").read_text("utf-8").splitlines()[-1]
    command = shlex.split(line)
    assert command[:2] == ["teg-emulator", "verify"], line
    result = verify(*(str(tmp_path / arg) if arg.endswith((".md", ".xml")) else arg for arg in command[2:]))
    report, junit = tmp_path / "report.md", tmp_path / "report.xml"
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = report.read_text()
    assert "**CONFORMS**" in text and "## emulator 1.15.0" in text and "## emulator 24.4.0" in text
    assert "| endpoints | GET /api/meters/aggregates | read endpoint answers as the contract says | PASS |" in text
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", "0")) > 200 and suite.get("failures") == "0"


def test_verify_names_the_offending_field_and_the_shape_difference(tmp_path: Path) -> None:
    mutant = next(m for m in MUTANTS if m.name == "aggregates: site.instant_power dropped")
    report = tmp_path / "report.md"
    with served(mutant.firmware, mutant) as gateway:
        result = verify(
            "--gateway-url", gateway.url, "--password", gateway.password, "--pace", "0", "--report", str(report)
        )
    assert result.returncode == 1
    text = report.read_text()
    assert "**DOES NOT CONFORM**" in text and "| real gateway |" in text
    assert "GET /api/meters/aggregates: field site: 'instant_power' is a required property" in text
    assert "only in the emulator: `site.instant_power` (number)" in text
    assert "writes tier" in text  # read-only by default: the write checks are listed as skipped, with why


def test_an_unreachable_gateway_gets_one_line_and_a_report_saying_so(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    result = verify("--gateway-url", "https://127.0.0.1:1", "--password", "x", "--report", str(report))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "cannot reach https://127.0.0.1:1" in result.stderr
    assert "could not be tested" in report.read_text()


def test_the_password_may_come_from_the_environment_instead_of_the_command_line(tmp_path: Path) -> None:
    with served("24.4.0") as gateway:
        password = gateway.password
        result = verify(
            "--gateway-url",
            gateway.url,
            "--pace",
            "0",
            "--report",
            str(tmp_path / "r.md"),
            "--junit",
            str(tmp_path / "r.xml"),
            TEG_PASSWORD=password,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    for written in ("r.md", "r.xml"):
        assert password not in (tmp_path / written).read_text()
    assert password not in result.stdout + result.stderr


def test_a_wrong_password_gets_one_line_and_a_non_zero_exit() -> None:
    with served("24.4.0") as gateway:
        result = verify("--gateway-url", gateway.url, "--password", "not-it", "--pace", "0")
    assert result.returncode == 3
    assert "login to" in result.stderr and "refused (401)" in result.stderr and "Traceback" not in result.stderr


def test_bad_flags_are_refused_with_one_line(tmp_path: Path) -> None:
    for args, needle in (
        (["--gateway-url", "ftp://gateway"], "not an http(s) URL"),
        (["--gateway-url", "https://192.0.2.1"], "needs --password"),
        (["--pace", "-1"], "--pace"),
        (["--report", str(tmp_path / "missing" / "r.md")], "cannot write"),
    ):
        result = verify(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_pytest_contract_tests_refuses_a_bad_gateway_url_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "contract_tests", "--gateway-url", "gateway.local", "--gateway-password", "x"],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        cwd=ROOT,
    )
    assert result.returncode == 4
    assert "is not an http(s) URL" in result.stderr and "Traceback" not in result.stderr


def test_a_gateway_that_never_answers_times_out_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as silent:  # accepts connections (backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        report = tmp_path / "report.md"
        result = verify("--gateway-url", url, "--password", "x", "--timeout", "0.5", "--report", str(report))
    assert result.returncode == 3
    assert result.stderr.strip() == f"teg-emulator: error: {url} did not answer within 0.5 s"
    assert "could not be tested" in report.read_text()


def test_verify_identifies_a_powerwall_3_by_its_tedapi_and_reads_it(tmp_path: Path) -> None:
    """A PW3 has no /api/status: the suite reads /tedapi/din and the TEDAPI status with the gateway password."""
    report = tmp_path / "report.md"
    with served("25.10.1") as gateway:
        url, password = gateway.url, gateway.password
        result = verify(
            "--gateway-url", url, "--password", password, "--pace", "0", "--report", str(report),
            TEG_GW_PASSWORD=GW_PASSWORD,
        )  # fmt: skip
        missing = verify("--gateway-url", url, "--password", password, "--pace", "0")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = report.read_text()
    assert "**CONFORMS**" in text and "25.10.1" in text
    assert "| TEDAPI |  | status query matches its schema | PASS |" in text
    assert "| TEDAPI |  | tedapi refuses no credentials with 401 |" in text
    assert GW_PASSWORD not in text + result.stdout + result.stderr
    assert missing.returncode == 3 and len(missing.stderr.strip().splitlines()) == 1
    assert "has no GET /api/status (a Powerwall 3?)" in missing.stderr and "$TEG_GW_PASSWORD" in missing.stderr
