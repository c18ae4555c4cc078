"""The contract suite run against a served emulator, or a mutant of it, as an owner runs it against a gateway.

``served()`` serves the emulator (or a mutant) in this process behind :class:`Watch`, which notes what a
failing check cannot tell apart from a caught fault: the app raised, or answered 500. ``run_suite()`` runs
``pytest contract_tests --gateway-url ...`` in a child process with a JUnit report, and :class:`SuiteRun`
reads back which checks failed and why. :func:`misjudged` is the mutant meta-test's verdict: a mutant
counts as caught only when the one failing check is one that names its fault, and nothing crashed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from google.protobuf.message import DecodeError
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator import contract
from emulator.contract import v1r as contract_v1r
from emulator.device import commands
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.device.gateway import Gateway
from emulator.serving.app import create_app
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from emulator.tedapi import teg_emulator_tedapi_pb2 as tedapi_pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r_pb
from emulator.tedapi.dispatch import kind
from emulator.testing.keys import private_key_pem
from tests.support.mutant import Mutant
from tests.support.mutated_gateway import MutatedGateway
from tests.support.paths import ROOT

NOON = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)  # 12:00 in Los Angeles: sun, battery and grid all busy
PASSWORD = "mutant-pw"
GW_PASSWORD = "MUTANTGWPW"  # the TEDAPI (QR sticker) password of every served gateway
SUITE_TIMEOUT_S = 240
# What a commanded change may take to show on a served emulator (at speed 60 its islanding takes 17 ms and its
# reconnection 170 ms): a mutant that acknowledges a command and does nothing is waited for this long.
TRANSITION_TIMEOUT_S = 5


class Watch:
    """The outermost ASGI layer: notes an exception the app raised and every 500 the contract does not document.

    The emulator answers 500 only where a real firmware does (GET /api/powerwalls/phase_usages), and a
    mutant changes answers, it does not crash: anything else means the suite failed on a broken test
    harness, not on the fault it was meant to find.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.problems: list[str] = []
        self.v1r_commands: list[str] = []  # what each POST /tedapi/v1r asked ("payload.member"; "" for none)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = f"{scope['method']} {scope['path']}"
        if scope["path"] == contract_v1r.PATH:
            receive = self._noting_command(receive)

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 500:
                operation = contract.operation_for(scope["method"], scope["path"])
                if operation is None or not operation.documents(500):
                    self.problems.append(f"{request} answered 500")
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            self.problems.append(f"{request} raised {type(exc).__name__}: {exc}")
            raise

    def _noting_command(self, receive: Receive) -> Receive:
        """``receive``, noting the command a v1r request's envelope carries once its body is in."""
        chunks: list[bytes] = []

        async def noting() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            if message["type"] == "http.request" and not message.get("more_body"):
                self.v1r_commands.append(_v1r_command(b"".join(chunks)))
            return message

        return noting


def _v1r_command(body: bytes) -> str:
    """The envelope member a v1r body asks for ("filestore.read_file_request"), or "" when it carries none."""
    message, envelope = v1r_pb.RoutableMessage(), tedapi_pb.Envelope()
    try:
        message.ParseFromString(body)
        envelope.ParseFromString(message.protobuf_message_as_bytes)
    except DecodeError:
        return ""
    payload, member = kind(envelope)
    return f"{payload}.{member}" if payload and member else ""


@dataclass
class Served:
    server: ServerThread
    gateway: Gateway
    app: Starlette  # the emulator's own app, inside the mutant and the watch
    watch: Watch
    # TEDAPI v1r: the owner's verified key, an unverified one and a spare, as the suite's options
    key_files: dict[str, Path]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def password(self) -> str:
        return self.gateway.password

    @property
    def key_options(self) -> list[str]:
        """The suite's options naming the keys, as an owner of this gateway would give them (none without v1r)."""
        return [arg for option, file in self.key_files.items() for arg in (option, str(file))]


OWNER_SLOT, UNVERIFIED_SLOT, SPARE_SLOT = 0, 1, 2  # emulator.testing.keys slots: RSA-4096, as registrations make them
KEY_OPTIONS = {
    "--gateway-rsa-key": OWNER_SLOT,
    "--gateway-unverified-rsa-key": UNVERIFIED_SLOT,
    "--gateway-spare-rsa-key": SPARE_SLOT,
}


@contextmanager
def served(firmware: str, mutant: Mutant | None = None, journal_size: int = 1000) -> Iterator[Served]:
    """The emulator of ``firmware`` (or ``mutant`` of it) on a free port, stopped on every path.

    Where it serves TEDAPI v1r, its table holds the owner's key, verified, a second key registered but never
    verified (its window runs out: it stays unverified) and a third one the suite may remove (registered, as
    an owner registers a throwaway key), all written to files for the suite.
    """
    start = NOON if mutant is None else NOON.replace(hour=mutant.start_hour_utc)
    v1r = contract.facts_for(firmware).serves("POST", contract_v1r.PATH)
    pems = {slot: private_key_pem(slot) for slot in KEY_OPTIONS.values()} if v1r else {}
    options = EmulatorOptions(
        firmware=firmware,
        speed=60,
        start=start,
        password=PASSWORD,
        gw_password=GW_PASSWORD,
        authorized_keys=(pems[OWNER_SLOT],) if v1r else (),
    )
    gateway = build_gateway(options)
    keys = {slot: contract_v1r.signing_key(pem) for slot, pem in pems.items()}
    if v1r:
        for slot in (UNVERIFIED_SLOT, SPARE_SLOT):
            gateway.authorized_clients.add(keys[slot].private.public_key())
    tls = self_signed().identity if gateway.facts.uses_tls else None
    app = create_app(gateway, tls=tls is not None, journal_size=journal_size)
    outer: ASGIApp = app
    if mutant is not None:
        token = commands.login(gateway, "customer", gateway.password, "mutant@example.com").token
        commands.run_sitemaster(gateway)
        outer = MutatedGateway(app, mutant, token, gateway.password, {k.public_der: k for k in keys.values()})
    watch = Watch(outer)
    with tempfile.TemporaryDirectory(prefix="teg-keys-") as folder, ServerThread(watch, tls=tls) as server:
        files = {}
        for option, slot in KEY_OPTIONS.items():
            if slot in pems:
                files[option] = Path(folder) / f"{slot}.pem"
                files[option].write_bytes(pems[slot])
        yield Served(server, gateway, app, watch, files)


@dataclass(frozen=True)
class Check:
    """One contract check that did not pass: its id (``test_auth.py::test_x[param]``), how, and the message."""

    id: str
    outcome: str  # "failed" (the check's assertion) or "error" (its fixture)
    message: str


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    stdout: str
    stderr: str
    checks: tuple[Check, ...]  # the checks that did not pass, from the run's JUnit report
    reported: bool  # whether the run wrote a JUnit report at all (a crash before the first check does not)

    def tail(self) -> str:
        return f"exit {self.returncode}:\n{self.stdout[-3000:]}\n{self.stderr[-2000:]}"


def _not_passed(junit: Path) -> tuple[Check, ...]:
    """The checks the JUnit report lists as failed or in error."""
    checks = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").rpartition(".")[2]
        for outcome, tag in (("failed", "failure"), ("error", "error")):
            element = case.find(tag)
            if element is not None:
                message = element.get("message") or (element.text or "")
                name = case.get("name", "")
                checks.append(Check(f"{module}.py::{name}" if module else name, outcome, message))
    return tuple(checks)


def run_suite(url: str, password: str, *extra: str, read_only: bool = False) -> SuiteRun:
    """``pytest contract_tests`` against ``url``: all tiers unless ``read_only``, no pacing, stop at the first failure."""
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
        "--junitxml",
        "{junit}",
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
        "--transition-timeout",
        str(TRANSITION_TIMEOUT_S),
        *tiers,
        *extra,
    ]
    # No third-party plugins: the suite needs none, and importing schemathesis' costs 3 s a run.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with tempfile.TemporaryDirectory(prefix="teg-suite-") as folder:
        junit = Path(folder) / "junit.xml"
        argv = [str(junit) if arg == "{junit}" else arg for arg in command]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=SUITE_TIMEOUT_S, cwd=ROOT, env=env)
        checks = _not_passed(junit) if junit.exists() else ()
        return SuiteRun(done.returncode, done.stdout, done.stderr, checks, junit.exists())


def misjudged(mutant: Mutant, run: SuiteRun, watch: Watch) -> list[str]:
    """Why the run does not show the suite catching ``mutant`` (empty when it does).

    Caught means: the suite exited 1 on exactly one check (it stops at the first), an assertion of one
    of ``mutant.caught_by`` (the checks whose failure names the fault; a KeyError inside a check is a
    check that crashed, not one that saw the fault), saying ``mutant.says`` where given; and the served
    app neither raised nor answered an undocumented 500 -- a crash fails some check too, but not because
    the suite saw the fault.
    """
    problems = [f"the served app {problem}" for problem in watch.problems]
    checks = run.checks
    if run.returncode != 1 or len(checks) != 1:
        reported = f"it reported {len(checks)}" if run.reported else "it wrote no report"
        problems.append(f"the suite should fail exactly one check, {reported}; {run.tail()}")
    if not mutant.caught_by:
        problems.append("the mutant names no check that must catch it (Mutant.caught_by)")
    for check in checks:
        named = any(_matches(pattern, check.id) for pattern in mutant.caught_by)
        asserted = re.match(r'(failed on \w+ with ")?AssertionError\b', check.message) is not None
        says = mutant.says is None or mutant.says in check.message
        if not (named and asserted and says):
            problems.append(
                f"{check.id} {check.outcome} with {check.message[:300]!r}: not a check that names the fault"
                f" (expected an assertion of one of {mutant.caught_by}"
                + (f" saying {mutant.says!r})" if mutant.says else ")")
            )
    return problems


def _matches(pattern: str, check_id: str) -> bool:
    """``*`` matches anything; everything else, brackets included, matches itself."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), check_id) is not None


def verdict(mutant: Mutant) -> list[str]:
    """The mutant meta-test: serve ``mutant``, run the whole suite against it, and say why it was not caught."""
    with served(mutant.firmware, mutant) as gateway:
        run = run_suite(gateway.url, gateway.password, *gateway.key_options)
    return misjudged(mutant, run, gateway.watch)
