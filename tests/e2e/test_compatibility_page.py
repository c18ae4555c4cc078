"""docs/compatibility.md says what the client libraries do against each firmware profile today: the script that
writes it runs every cell again (each client, unmodified, against a fresh emulated gateway) and must find the
page as it is."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT

SCRIPT = ROOT / "scripts" / "compat_matrix.py"


def test_the_compatibility_page_is_what_the_clients_do_now() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=600, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_page_has_a_row_per_client_mode_and_a_column_per_firmware() -> None:
    from emulator.contract import firmware_facts

    page = (ROOT / "docs" / "compatibility.md").read_text("utf-8")
    header = next(line for line in page.splitlines() if line.startswith("| client, mode |"))
    assert [cell.strip().split(" ")[0] for cell in header.strip("|").split("|")[1:]] == list(firmware_facts())
    rows = [line for line in page.splitlines() if line.startswith("| **")]
    assert len(rows) == 6 and {r.split("**")[1] for r in rows} == {"pypowerwall", "tesla-powerwall", "aiopowerwall"}
