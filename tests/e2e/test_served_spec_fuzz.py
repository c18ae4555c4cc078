"""The documented schemathesis command lines, run as a user types them, find nothing against every profile.

The commands are read from the files docs/contract.md includes (docs/examples/fuzz-*.sh: the
``schemathesis run $URL/_emulator/openapi.yaml ...`` lines), ``$URL``, ``$TOKEN`` and ``$GW_PASSWORD`` filled in as
those files' shell lines fill them:
the emulator's own URL (HTTPS with a self-signed certificate where the firmware serves it), the token of a login
as that firmware's user, with sitemaster restarted after a 1.15.0 login, and the gateway password the TEDAPI's
HTTP Basic takes. Everything else -- environment, checks, tags, examples, seed -- is the documentation's.
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
from tests.support.paths import ROOT

EXAMPLES = sorted((ROOT / "docs" / "examples").glob("fuzz-*.sh"))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def readme_command(prefix: str = "") -> str:
    """The documented `schemathesis run` line over the served spec (after ``prefix``), continuation lines joined."""
    text = "".join(path.read_text("utf-8") for path in EXAMPLES).replace("\\\n", " ")
    found = re.search(rf"^{re.escape(prefix)}schemathesis run \$URL/_emulator/openapi\.yaml .*$", text, re.MULTILINE)
    assert found, f"docs/examples/fuzz-*.sh lost the {prefix}schemathesis command over the served spec"
    return " ".join(found.group(0).split())


def run_schemathesis(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """schemathesis as the venv installs it, in a folder of its own: its crash cache (.schemathesis/) and any
    schemathesis.toml come from nowhere in the repository."""
    assert argv[0] == "schemathesis", argv
    return subprocess.run(
        [str(SCHEMATHESIS), *argv[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", **env},
        cwd=cwd,
        check=False,
    )


def logged_in_token(gw: emulator.Emulator, firmware: str) -> str:
    """What the documented curl lines do: log in as this firmware's user; restart sitemaster where that stops it."""
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
        result = run_schemathesis(argv, {"SCHEMATHESIS_HOOKS": ""}, tmp_path)
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert re.search(r"\d+ generated, \d+ passed", result.stdout), result.stdout[-3000:]


TEDAPI_PREFIX = "SCHEMATHESIS_HOOKS=emulator.tedapi.schemathesis_hooks "


@pytest.mark.parametrize(
    "firmware", sorted(f for f, facts in contract.firmware_facts().items() if "/tedapi/v1" in facts.paths)
)
def test_the_readmes_tedapi_schemathesis_run_sends_real_frames_and_finds_nothing(firmware: str, tmp_path: Path) -> None:
    """The TEDAPI line: the hooks module the documentation names draws protobuf Frames, so the gateway answers them."""
    command = readme_command(TEDAPI_PREFIX)
    with emulator.running(firmware=firmware) as gw:
        filled = command.replace("$URL", gw.url.rstrip("/")).replace("$GW_PASSWORD", gw.gw_password)
        words = shlex.split(filled)
        env = dict(word.split("=", 1) for word in words[: words.index("schemathesis")])
        result = run_schemathesis(words[len(env) :], env, tmp_path)
        answered = gw.requests(method="POST", path="/tedapi/*", status=200)
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert "No issues found" in result.stdout, result.stdout[-3000:]
    # what makes it clean is Frames the gateway answers, not requests it never reaches
    assert {e["path"] for e in answered} >= {"/tedapi/v1"}, answered
    assert any(e["path"].startswith("/tedapi/device/") for e in answered), "the DIN link was never followed"
