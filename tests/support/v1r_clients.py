"""The two TEDAPI v1r clients as the tests drive them: aiopowerwall in this process, pypowerwall in its own.

pypowerwall runs tests/support/pypowerwall_v1r_driver.py in a subprocess (its global state, and
REQUESTS_CA_BUNDLE overriding its verify=False), started with ``started()`` so it is always reaped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiopowerwall import PowerwallClient

import emulator
from tests.support.paths import ROOT
from tests.support.processes import started

GW_PASSWORD = "ABCDEFGHIJ"  # the QR sticker's; the customer login takes its last five characters
DRIVER = ROOT / "tests" / "support" / "pypowerwall_v1r_driver.py"


def powerwall3_site(**options: Any) -> emulator.Emulator:
    """A paused Powerwall 3 site on 25.10.1 (not started)."""
    return emulator.running(firmware="25.10.1", gw_password=GW_PASSWORD, paused=True, **options)


def aiopowerwall(gw: emulator.Emulator, pem: bytes) -> PowerwallClient:
    return PowerwallClient(host=gw.host, gateway_password=GW_PASSWORD, rsa_private_key_pem=pem, timeout=30)


class Pypowerwall:
    """pypowerwall in v1r mode in its own process: ``call`` sends one line of calls, reads one JSON line back."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def call(self, *calls: list[Any]) -> dict[str, Any]:
        """``{"results": [...], "warnings": [...], "logs": [...]}`` for the calls, in order."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(list(calls)) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "pypowerwall exited without an answer"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def results(self, *calls: list[Any]) -> list[Any]:
        found: list[Any] = self.call(*calls)["results"]
        return found


@contextmanager
def pypowerwall_v1r(gw: emulator.Emulator, key_file: Path) -> Iterator[Pypowerwall]:
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    argv = [sys.executable, str(DRIVER), gw.host, GW_PASSWORD, str(key_file)]
    with started(argv, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as proc:
        yield Pypowerwall(proc)
