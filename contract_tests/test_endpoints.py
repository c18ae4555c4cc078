"""Every read endpoint: status, content type and body as openapi.yaml and schemas/ say."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from contract_tests.spec import reads, response_problems
from contract_tests.target import Target
from emulator.contract import Operation

REPORT_AREA = "endpoints"


def _first(target: Target, path: str, pick: Callable[[Any], str | None]) -> str | None:
    response = target.get(path)
    if response.status_code != 200:
        return None
    try:
        return pick(response.json())
    except (ValueError, LookupError, TypeError):
        return None


# Where a path template's parameter comes from on the gateway itself.
PARAMETERS = {
    "brand": lambda target: _first(target, "/api/solars/brands", lambda body: body[0]),
    "serial": lambda target: _first(target, "/api/meters", lambda body: body[0]["serial"]),
}


def concrete_path(target: Target, op: Operation) -> str:
    def fill(match: re.Match[str]) -> str:
        value = PARAMETERS[match.group(1)](target)
        if value is None:
            pytest.skip(f"{op.path}: the gateway lists no {match.group(1)} to ask about")
        return str(value)

    return re.sub(r"\{(\w+)\}", fill, op.path)


@pytest.mark.endpoints(select=reads)
def test_read_endpoint_answers_as_the_contract_says(target: Target, op: Operation) -> None:
    response = target.get(concrete_path(target, op), auth=op.needs_login(target.facts.version))
    problems = response_problems(op, response)
    assert not problems, "\n".join(problems)


@pytest.mark.serves("GET /api/status")
def test_status_is_open_and_names_the_firmware(target: Target) -> None:
    response = target.get("/api/status", auth=False)
    assert response.status_code == 200, f"GET /api/status without credentials: {response.status_code}"
    assert response.json()["version"].split()[0] == target.version.split()[0]


@pytest.mark.serves("GET /api/sitemaster")
def test_sitemaster_is_running_while_the_suite_reads(target: Target) -> None:
    body = target.read("/api/sitemaster").json()
    assert body.get("running") is True, (
        f"GET /api/sitemaster: running is {body.get('running')!r} (status {body.get('status')!r})"
    )
