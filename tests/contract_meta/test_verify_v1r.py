"""`teg-emulator verify --rsa-key PEM`: a Powerwall 3 checked over TEDAPI v1r, as an owner on today's LAN runs it.

The gateway is the emulator served as a real one (tests/support/contract_runs.py), holding the owner's key
verified and a second key registered but never verified; the suite gets only what an owner has: the URL, the
customer password and the key files -- no gateway password, so it identifies the gateway over v1r itself.
"""

from __future__ import annotations

from pathlib import Path

from emulator.testing.keys import private_key_pem
from tests.contract_meta.test_verify import verify
from tests.support import v1r_replies
from tests.support.contract_runs import run_suite, served
from tests.support.mutants import MUTANTS, Mutant


def test_verify_with_the_owners_key_checks_a_powerwall_3_over_v1r(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    with served("25.10.1") as gateway:
        keys = gateway.key_files
        result = verify(
            "--gateway-url", gateway.url, "--password", gateway.password, "--pace", "0", "--report", str(report),
            "--rsa-key", str(keys["--gateway-rsa-key"]),
            TEG_UNVERIFIED_RSA_KEY=str(keys["--gateway-unverified-rsa-key"]),
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = report.read_text()
    assert "**CONFORMS**" in text and "`25.10.1" in text
    for check in (
        "v1r system info names the firmware",
        "v1r config json matches its schema and carries its hash",
        "v1r status query matches its schema",
        "v1r components query matches its schema",
        "v1r refuses a bad signature",
        "v1r refuses an expired request",
        "v1r refuses a signature for another din",
        "v1r answers an unverified key not verified",
        "v1r lists the suites key verified with the documented record fields",
        "v1r lists an unverified key pending",
        "v1r calibration delay status counts within its maximum",
        "v1r backup events are answered",
    ):
        assert f"| TEDAPI v1r |  | {check} | PASS |" in text, check
    assert "| TEDAPI |  | status query matches its schema | SKIP | the TEDAPI needs the gateway password" in text
    for check in (  # read-only: nothing is written, scheduled, dispatched, delayed, removed or islanded
        "v1r config write is read back and restored | SKIP | writes tier:",
        "v1r a manual backup is listed as the client stamped it until cancelled | SKIP | writes tier:",
        "v1r a battery setpoint holds the battery until released | SKIP | writes tier:",
        "v1r a removed key leaves the list and is locked out | SKIP | writes tier:",
        "v1r island mode takes the site off the grid and back | SKIP | disruptive tier:",
        "v1r a black start islands the site until reconnected | SKIP | disruptive tier:",
        "v1r a calibration delay is counted and runs | SKIP | disruptive tier:",
    ):
        assert f"| TEDAPI v1r |  | {check}" in text, check


def test_a_key_file_that_cannot_sign_is_refused_in_one_line_before_anything_is_sent(tmp_path: Path) -> None:
    public = tmp_path / "public.pem"
    public.write_text("-----BEGIN RSA PUBLIC KEY-----\nMAoCAwEAAQIDAQAB\n-----END RSA PUBLIC KEY-----\n")
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all\n-----END RSA PRIVATE KEY-----\n")
    owner = tmp_path / "owner.pem"
    owner.write_bytes(private_key_pem(0))
    url = ["--gateway-url", "https://192.0.2.1", "--password", "x"]  # TEST-NET: nothing may be sent there
    for args, needle in (
        ([*url, "--rsa-key", str(tmp_path / "missing.pem")], "No such file or directory"),
        ([*url, "--rsa-key", str(public)], "not a private key PEM"),
        ([*url, "--unverified-rsa-key", str(garbage)], "--unverified-rsa-key: "),
        ([*url, "--rsa-key", str(owner), "--spare-rsa-key", str(owner)], "must never remove that one"),
        ([*url, "--transition-timeout", "0"], "--transition-timeout"),
        (["--rsa-key", str(garbage)], "give it with --gateway-url"),
    ):
        result = verify(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_powerwall_3_without_the_calibration_delay_status_is_not_failed_for_it() -> None:
    """A Powerwall 3 on 26.26.4 answers the status UNIMPLEMENTED (code 12): "not supported", a skip saying so, of
    the status check and of the delay check (which reads the status before and after its delay)."""
    quirk = Mutant("no calibration delay status", "25.10.1", v1r_reply=v1r_replies.CALIBRATION_UNIMPLEMENTED)
    with served(quirk.firmware, quirk) as gateway:
        result = run_suite(gateway.url, gateway.password, *gateway.key_options, "-rs", "-k", "calibration")
    assert result.returncode == 0, result.tail()
    assert "2 skipped" in result.stdout and "not supported on this firmware" in result.stdout, result.tail()


def test_a_failing_manual_backup_check_still_cancels_the_backup() -> None:
    """The restore ledger cancels the suite's manual backup when its check fails before its own cancel."""
    liar = next(m for m in MUTANTS if m.v1r_reply == v1r_replies.BACKUP_ON_ITS_CLOCK)
    with served(liar.firmware, liar) as gateway:
        result = run_suite(gateway.url, gateway.password, *gateway.key_options, "-k", "manual_backup")
        scheduled = gateway.gateway.snapshot().site_controls.backup_event
    assert result.returncode == 1 and [check.id for check in result.checks] == [
        "test_tedapi_v1r_controls.py::test_v1r_a_manual_backup_is_listed_as_the_client_stamped_it_until_cancelled"
        "[25.10.1]"
    ]
    assert scheduled is None
