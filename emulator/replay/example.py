"""Make the bundled example recording: the emulator itself, recorded as a real gateway would be.

    python -m emulator.replay.example scenarios/recordings/emulator-24.4.0.jsonl

Serves firmware 24.4.0 over HTTPS at speed 60 in a thread (one real second
is a simulated minute, from 19:45 on a July evening, as the sun sets), cuts the utility grid
for a while through the control API, and records it with the recorder `teg-emulator record` runs,
as a user would record a gateway. The result is small (~200 KB)
and shows the grid going down and coming back.

The grid is cut and restored between the recorder's polls, counted, not at wall-clock moments: on a
busy machine a poll takes longer and fewer fit in the time, and an outage timed by the clock could
fall between two polls and never be recorded.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from emulator.replay.recorder import RecordOptions, Summary, record
from emulator.serving.assembly import assemble
from emulator.serving.options import RunOptions
from emulator.serving.server import ServerThread

START = datetime(2026, 7, 1, 19, 45, tzinfo=ZoneInfo("America/Los_Angeles"))


def make(
    out: Path,
    *,
    real_s: float = 8.0,
    interval_s: float = 0.5,
    speed: float = 60.0,
    outage: tuple[float, float] = (0.3, 0.7),
) -> int:
    """Record ``real_s`` seconds; the grid is down from ``outage[0]`` to ``outage[1]`` (fractions of the polls
    that many seconds hold at ``interval_s``). A recording of at least ``cut_after + 1`` polls holds both grid
    states, however slow the machine."""
    assembly = assemble(RunOptions(firmware="24.4.0", speed=speed, start=START, soe=80.0))
    polls = max(3, round(real_s / interval_s))  # as many as fit when each poll is quick
    cut_after = max(1, round(outage[0] * polls))
    restore_after = max(cut_after + 1, round(outage[1] * polls))
    with ServerThread(assembly.app, tls=assembly.tls) as server:

        def on_poll(summary: Summary) -> None:
            if summary.polls == cut_after:
                _grid(server.url, False)
            elif summary.polls == restore_after:
                _grid(server.url, True)

        options = RecordOptions(
            gateway_url=server.url,
            out=out,
            password=assembly.gateway.password,
            interval_s=interval_s,
            duration_s=real_s,
            overwrite=True,
        )
        return 0 if record(options, on_poll=on_poll).responses else 1


def _grid(url: str, connected: bool) -> None:
    httpx.post(f"{url}/_emulator/grid", json={"connected": connected}, verify=False, timeout=5).raise_for_status()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("scenarios/recordings/emulator-24.4.0.jsonl"))
    raise SystemExit(make(parser.parse_args().out))
