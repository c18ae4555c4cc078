"""A fleet split into shards is the same fleet: two shard processes answer as the one-process fleet does."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from emulator.cli import main
from emulator.serving.limits import MAX_GATEWAYS
from tests.support.paths import ROOT
from tests.support.processes import printed, started

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
IDENTITY = ["--firmware", "24.4.0", "--no-tls", "--seed", "7", "--gateway-serial", "TG1234567"]
FLEET = ["--gateways", "5", "--fleet-mode", "host", "--paused", "--fault-seed", "11", *IDENTITY]
READS = ["/api/meters/aggregates", "/api/system_status/soe", "/api/site_info"]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI as a user types it, in this process (it refuses or prints, then returns): code, stdout, stderr."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def start(stack: ExitStack, *args: str) -> str:
    """`serve` with ``args``, stopped when ``stack`` closes: its fleet listing's URL."""
    proc = stack.enter_context(started([sys.executable, "-m", "emulator.cli", "serve", "--port", "0", *args], env=ENV))
    listing = printed(proc, r"list: (\S+)")
    assert listing, f"{args} never printed its listing"
    return listing


@pytest.fixture(scope="module")
def fleets() -> Iterator[dict[str, list[dict[str, str]]]]:
    """The whole fleet in one process and the same fleet as shards 0/2 and 1/2, each started on its own."""
    with ExitStack() as stack:
        listings = [
            start(stack, *FLEET),
            start(stack, *FLEET, "--shard", "0/2"),
            start(stack, *FLEET, "--shard", "1/2"),
        ]
        whole, *shards = [httpx.get(listing).json()["gateways"] for listing in listings]
        yield {"whole": whole, "shards": [member for shard in shards for member in shard]}


def ask(member: dict[str, str], method: str, path: str, token: str = "", **kwargs: Any) -> httpx.Response:
    """A request to a host-mode member: to 127.0.0.1, with the member's name as the Host header."""
    host = member["url"].split("//")[1].rsplit(":", 1)[0]
    headers = {"Host": host, **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx.request(method, member["url"].replace(host, "127.0.0.1") + path, headers=headers, **kwargs)


def without_url(member: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in member.items() if key != "url"}


def test_two_shards_list_exactly_the_members_of_the_whole_fleet(fleets):
    assert [without_url(m) for m in fleets["shards"]] == [without_url(m) for m in fleets["whole"]]
    assert len({m["serial"] for m in fleets["whole"]}) == 5


def test_each_member_answers_the_same_from_its_shard_as_from_the_whole_fleet(fleets):
    for whole, shard in zip(fleets["whole"], fleets["shards"], strict=True):
        tokens = []
        for member in (whole, shard):
            login = ask(
                member, "POST", "/api/login/Basic", json={"username": "customer", "password": member["password"]}
            )
            assert login.status_code == 200
            tokens.append(login.json()["token"])
        for path in READS:
            answers = [ask(member, "GET", path, token) for member, token in zip((whole, shard), tokens, strict=True)]
            assert answers[0].status_code == answers[1].status_code == 200, path
            assert answers[0].json() == answers[1].json(), (whole["serial"], path)
        states = [ask(member, "GET", "/_emulator/state").json() for member in (whole, shard)]
        assert states[0] == states[1]


def test_a_member_draws_the_same_probabilistic_faults_in_its_shard(fleets):
    last_whole, last_shard = fleets["whole"][-1], fleets["shards"][-1]
    rule = {"path": "/api/status", "kind": "status", "status": 503, "probability": 0.5}
    statuses = []
    for member in (last_whole, last_shard):
        assert ask(member, "POST", "/_emulator/faults", json=rule).status_code == 201
        statuses.append([ask(member, "GET", "/api/status").status_code for _ in range(12)])
        ask(member, "DELETE", "/_emulator/faults")
    assert statuses[0] == statuses[1] and {200, 503} == set(statuses[0])


def test_the_manifest_lists_what_the_shards_serve_without_starting_them(fleets, capsys):
    code, out, err = cli(
        capsys, "fleet", "manifest", "--gateways", "5", "--shards", "2", "--fleet-mode", "host", *IDENTITY
    )
    assert code == 0, err
    rows = json.loads(out)
    keys = ("index", "serial", "din", "password", "firmware")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: m[k] for k in keys} for m in fleets["shards"]]
    assert [r["shard"] for r in rows] == [0, 0, 1, 1, 1]
    assert [r["host"] for r in rows] == [m["url"].split("//")[1].rsplit(":", 1)[0] for m in fleets["whole"]]


def test_the_manifest_fills_a_url_template_per_shard_as_csv(capsys):
    template = "https://teg-emulator-{k}.teg-emulator:8443"
    args = ["--gateways", "7", "--shards", "3", "--format", "csv", "--url-template", template]
    _, out, _ = cli(capsys, "fleet", "manifest", *args)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["url"] for r in rows] == [template.format(k=k) for k in (0, 0, 1, 1, 2, 2, 2)]
    assert [r["serial"] for r in rows] == [f"T123456789{i:03d}" for i in range(1, 8)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--gateways", "3", "--shards", "4"], "leave some shards empty"),
        (["--gateways", "3", "--url-template", "https://{pod}:1"], "only {k} {port} {host} {index}"),
        (["--gateways", "0"], "--gateways"),
        (["--gateways", "70000", "--shards", "200"], "port"),
        (["--gateways", str(2 * MAX_GATEWAYS + 1), "--shards", "2", "--url-template", "http://x"], "at most"),
        (["--shards", "2"], "--gateways"),
    ],
)
def test_the_manifest_refuses_bad_flags_in_one_line(args, says, capsys):
    code, out, err = cli(capsys, "fleet", "manifest", *args)
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--gateways", "4", "--shard", "4/4"], "below the count"),
        (["--gateways", "4", "--shard", "two"], "not a shard"),
        (["--gateways", "2", "--shard", "0/3"], "leave some shards empty"),
        (["--gateways", str(MAX_GATEWAYS + 1)], "--workers"),
        (["--gateways", "4", "--workers", "2", "--shard", "0/2"], "cannot be combined with --shard"),
        (["--gateways", "2", "--workers", "3"], "--workers must be between 1"),
    ],
)
def test_serve_refuses_bad_shard_flags_in_one_line(args, says, capsys):
    code, _, err = cli(capsys, "serve", "--port", "0", *args)
    assert code == 2 and says in err, err
    assert len(err.strip().splitlines()) == 1
