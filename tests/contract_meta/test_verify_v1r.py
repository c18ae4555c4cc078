"""`teg-emulator verify --rsa-key PEM`: a Powerwall 3 checked over TEDAPI v1r, as an owner on today's LAN runs it.

The gateway is the emulator served as a real one (tests/support/contract_runs.py), holding the owner's key
verified and a second key registered but never verified; the suite gets only what an owner has: the URL, the
customer password and the key files -- no gateway password, so it identifies the gateway over v1r itself.
"""

from __future__ import annotations

from pathlib import Path

from tests.contract_meta.test_verify import verify
from tests.support.contract_runs import served


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
    ):
        assert f"| TEDAPI v1r |  | {check} | PASS |" in text, check
    assert "| TEDAPI |  | status query matches its schema | SKIP | the TEDAPI needs the gateway password" in text
    assert "| TEDAPI v1r |  | v1r config write is read back and restored | SKIP | writes tier:" in text  # read-only


def test_a_key_file_that_cannot_sign_is_refused_in_one_line_before_anything_is_sent(tmp_path: Path) -> None:
    public = tmp_path / "public.pem"
    public.write_text("-----BEGIN RSA PUBLIC KEY-----\nMAoCAwEAAQIDAQAB\n-----END RSA PUBLIC KEY-----\n")
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all\n-----END RSA PRIVATE KEY-----\n")
    url = ["--gateway-url", "https://192.0.2.1", "--password", "x"]  # TEST-NET: nothing may be sent there
    for args, needle in (
        ([*url, "--rsa-key", str(tmp_path / "missing.pem")], "No such file or directory"),
        ([*url, "--rsa-key", str(public)], "not a private key PEM"),
        ([*url, "--unverified-rsa-key", str(garbage)], "--unverified-rsa-key: "),
        (["--rsa-key", str(garbage)], "give it with --gateway-url"),
    ):
        result = verify(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
