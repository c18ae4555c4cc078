"""`teg-emulator verify` passes against an emulator at any speed, as it must against a real gateway.

Checks that compare two reads allow what can change between them (by the readings' own
timestamps and power), so the sim time that passes between requests does not matter. With
default settings verify waits 1 s (``--pace``) between requests; each case here keeps the sim
time between requests the same as that at ``--speed`` 1, 60 and 3600, but paces 100 times
faster against a 100 times faster emulator, so the three runs take seconds, not minutes.
(Measured once with true defaults, 1 s pace: 24.4.0 at --speed 60 and 3600 and 1.15.0 at
--speed 1 pass, 229 and 118 requests, about 4 and 2 minutes; see docs/benchmarks.md.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.app import create_app
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from tests.support.paths import ROOT

NOON = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)  # 12:00 in Los Angeles: sun, battery and grid all carry power
SCALE = 100  # pace 100x faster against a 100x faster emulator: the same sim time between requests


@pytest.mark.parametrize("speed", [1, 60, 3600])
def test_verify_with_a_default_pace_passes_at_any_emulator_speed(speed: int, tmp_path: Path) -> None:
    gateway = build_gateway(EmulatorOptions(firmware="24.4.0", speed=speed * SCALE, start=NOON, password="pw"))
    server = ServerThread(create_app(gateway, tls=True), tls=self_signed().identity).start()
    command = [sys.executable, "-m", "emulator.cli", "verify", "--gateway-url", server.url, "--password", "pw"]
    command += ["--pace", str(1 / SCALE), "--report", str(tmp_path / "report.md")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=ROOT, env=env)
    finally:
        server.stop()
    report = (tmp_path / "report.md").read_text() if (tmp_path / "report.md").exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:] + report[-3000:]
    assert " 0 failed" in result.stdout
