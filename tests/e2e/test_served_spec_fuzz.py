"""The documented schemathesis command lines, run as a user types them, find nothing against every profile.

The commands are read from the files docs/contract.md includes (docs/examples/fuzz-*.sh: the
``schemathesis run $URL/_emulator/openapi.yaml ...`` lines), ``$URL``, ``$TOKEN`` and ``$GW_PASSWORD`` filled in as
those files' shell lines fill them:
the emulator's own URL (HTTPS with a self-signed certificate where the firmware serves it), the token of a login
as that firmware's user, with sitemaster restarted after a 1.15.0 login, and the gateway password the TEDAPI's
HTTP Basic takes. Everything else -- environment, checks, tags, examples, seed -- is the documentation's.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

import emulator
from emulator import contract
from emulator.tedapi import teg_emulator_tedapi_pb2 as tedapi_pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r_pb
from emulator.testing.keys import private_key_pem
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
CASSETTE = ["--report", "vcr", "--report-vcr-path", "cassette.yaml", "--report-preserve-bytes"]


def v1r_exports() -> dict[str, str]:
    """The ``export NAME=value`` lines docs/examples/fuzz-tedapi.sh sets before its schemathesis line."""
    text = (ROOT / "docs" / "examples" / "fuzz-tedapi.sh").read_text("utf-8")
    found = dict(re.findall(r"^export (TEG_V1R_\w+)=(\S+)", text, re.MULTILINE))
    assert set(found) == {"TEG_V1R_KEY", "TEG_V1R_DIN"}, found
    return found


@pytest.mark.parametrize(
    "firmware", sorted(f for f, facts in contract.firmware_facts().items() if "/tedapi/v1" in facts.paths)
)
def test_the_readmes_tedapi_schemathesis_run_sends_real_frames_and_finds_nothing(firmware: str, tmp_path: Path) -> None:
    """The TEDAPI line: the hooks module the documentation names draws protobuf Frames, and on a gateway serving
    TEDAPI v1r RoutableMessages signed with the key the documentation's exports name, so the gateway answers them.

    The exports are done as their lines do them: the key file the gateway holds verified (here written to the run's
    folder under the documented name, and given to the emulator as ``serve --authorized-key`` would), and the DIN
    ``GET /tedapi/din`` answers with the gateway password. schemathesis keeps a cassette of what it sent and got
    (``--report vcr``, bytes preserved), which shows the signed requests were answered, not refused.
    """
    command = readme_command(TEDAPI_PREFIX)
    exports = v1r_exports()
    pem = private_key_pem(0)
    (tmp_path / exports["TEG_V1R_KEY"]).write_bytes(pem)
    with emulator.running(firmware=firmware, authorized_keys=[pem]) as gw:
        filled = command.replace("$URL", gw.url.rstrip("/")).replace("$GW_PASSWORD", gw.gw_password)
        words = shlex.split(filled)
        start = words.index("schemathesis")
        env = dict(word.split("=", 1) for word in words[:start])
        with httpx.Client(verify=False, timeout=10) as http:  # $(curl -sk -u Tesla_Energy_Device:$GW_PASSWORD ...)
            din = http.get(gw.url.rstrip("/") + "/tedapi/din", auth=("Tesla_Energy_Device", gw.gw_password)).text
        env |= {"TEG_V1R_KEY": exports["TEG_V1R_KEY"], "TEG_V1R_DIN": din.strip()}
        result = run_schemathesis([*words[start:], *CASSETTE], env, tmp_path)
        answered = gw.requests(method="POST", path="/tedapi/*", status=200)
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert "No issues found" in result.stdout, result.stdout[-3000:]
    # what makes it clean is Frames the gateway answers, not requests it never reaches
    assert {e["path"] for e in answered} >= {"/tedapi/v1"}, answered
    assert any(e["path"].startswith("/tedapi/device/") for e in answered), "the DIN link was never followed"
    if "/tedapi/v1r" in contract.facts_for(firmware).paths:
        assert any(e["path"] == "/tedapi/v1r" for e in answered), "no signed request reached the gateway"
        kinds = v1r_answers(tmp_path / "cassette.yaml")
        assert kinds >= {"get_system_info_response", "read_file_response", "query_response"}, kinds


def v1r_answers(cassette: Path) -> set[str]:
    """The kinds of answer the cassette's POST /tedapi/v1r got that carry data (no fault, no refusal inside)."""
    found = set()
    for interaction in yaml.safe_load(cassette.read_text("utf-8"))["http_interactions"]:
        request, response = interaction["request"], interaction["response"]
        if not (request["method"] == "POST" and request["uri"].endswith("/tedapi/v1r")) or response is None:
            continue
        if response["status"]["code"] != "200":
            continue
        message = v1r_pb.RoutableMessage.FromString(base64.b64decode(response["body"]["base64_string"]))
        if message.signed_message_status.message_fault:
            continue
        envelope = tedapi_pb.Envelope.FromString(message.protobuf_message_as_bytes)
        payload = envelope.WhichOneof("payload")
        member = getattr(envelope, payload).WhichOneof("message") if payload else None
        if member and member != "error_response":
            found.add(member)
    return found
