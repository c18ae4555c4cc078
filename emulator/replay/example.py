"""Make the bundled example recording: the emulator itself, recorded as a real gateway would be.

    python -m emulator.replay.example scenarios/recordings/emulator-24.4.0.jsonl

Serves firmware 24.4.0 over HTTPS at speed 60 in a thread (one real second
is a simulated minute, from 19:45 on a July evening, as the sun sets), cuts the utility grid
for a while through the control API, and runs ``teg-emulator record`` against
it exactly as a user would against a gateway. The result is small (~200 KB)
and shows the grid going down and coming back.
"""

from __future__ import annotations

import argparse
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from emulator.cli import main as cli
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.app import create_app
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed

START = datetime(2026, 7, 1, 19, 45, tzinfo=ZoneInfo("America/Los_Angeles"))


def make(
    out: Path,
    *,
    real_s: float = 8.0,
    interval_s: float = 0.5,
    speed: float = 60.0,
    outage: tuple[float, float] = (0.3, 0.7),
) -> int:
    """Record ``real_s`` seconds; the grid is down from ``outage[0]`` to ``outage[1]`` (fractions of it)."""
    gateway = build_gateway(EmulatorOptions(firmware="24.4.0", speed=speed, start=START, soe_pct=80.0))
    with ServerThread(create_app(gateway, tls=True), tls=self_signed().identity) as server:
        timers = [
            threading.Timer(outage[0] * real_s, _grid, (server.url, False)),
            threading.Timer(outage[1] * real_s, _grid, (server.url, True)),
        ]
        for timer in timers:
            timer.start()
        try:
            return cli(
                ["record", "--gateway-url", server.url, "--password", gateway.password, "--out", str(out), "--force",
                 "--interval", f"{interval_s:g}", "--duration", f"{real_s:g}s"]
            )  # fmt: skip
        finally:
            for timer in timers:
                timer.cancel()


def _grid(url: str, connected: bool) -> None:
    httpx.post(f"{url}/_emulator/grid", json={"connected": connected}, verify=False, timeout=5).raise_for_status()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("scenarios/recordings/emulator-24.4.0.jsonl"))
    raise SystemExit(make(parser.parse_args().out))
