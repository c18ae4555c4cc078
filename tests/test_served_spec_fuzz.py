"""The README's schemathesis command line, run as a user types it, finds nothing against every profile.

The command is read from the README (the ``schemathesis run $URL/_emulator/openapi.yaml ...`` line of the served
spec section), ``$URL`` and ``$TOKEN`` filled in as the README's shell lines fill them: the emulator's own URL
(HTTPS with a self-signed certificate where the firmware serves it) and the token of a login as that
firmware's user, with sitemaster restarted after a 1.15.0 login. Everything else -- checks, exclusions,
examples, seed -- is the README's.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import emulator
from emulator import contract

README = Path(__file__).resolve().parents[1] / "README.md"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def readme_command() -> str:
    """The README's `schemathesis run` line over the served spec, continuation lines joined."""
    text = README.read_text("utf-8").replace("\\\n", " ")
    found = re.search(r"^schemathesis run \$URL/_emulator/openapi\.yaml .*$", text, re.MULTILINE)
    assert found, "the README lost its schemathesis command over the served spec"
    return " ".join(found.group(0).split())


def logged_in_token(gw: emulator.Emulator, firmware: str) -> str:
    """What the README's curl lines do: log in as this firmware's user; restart sitemaster where that stops it."""
    facts = contract.facts_for(firmware)
    with httpx.Client(base_url=gw.url, verify=False, timeout=10) as http:
        login = http.post("/api/login/Basic", json={"username": facts.username, "password": gw.password})
        assert login.status_code == 200, login.text
        if facts.login_stops_sitemaster:
            assert http.get("/api/sitemaster/run").status_code in (200, 202)
        return str(login.json()["token"])


@pytest.mark.parametrize("firmware", sorted(contract.firmware_facts()))
def test_the_readmes_schemathesis_run_finds_nothing_on_the_served_spec(firmware: str, tmp_path: Path) -> None:
    command = readme_command()
    with emulator.running(firmware=firmware) as gw:
        token = logged_in_token(gw, firmware)
        argv = shlex.split(command.replace("$URL", gw.url.rstrip("/")).replace("$TOKEN", token))
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
        result = subprocess.run(
            [str(SCHEMATHESIS), *argv[1:]],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=tmp_path,  # its crash cache (.schemathesis/) and any schemathesis.toml: none from the repo
            check=False,
        )
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert re.search(r"\d+ generated, \d+ passed", result.stdout), result.stdout[-3000:]
