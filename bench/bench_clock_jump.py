"""How long a big clock jump through the control API holds other clients up.

    python bench/bench_clock_jump.py

Serves 1.15.0 with `teg-emulator serve --paused` in a process of its own, polls GET /api/meters/aggregates
from a second thread without pause, and meanwhile asks POST /_emulator/clock for jumps of a day, a
month and a year. Reports, per jump, how long the jump's own answer took and the slowest poll
answered while it ran (the event loop is single-threaded: a catch-up that does not yield holds
every client for its whole duration). The model's catch-up is bounded per request
(emulator.device.gateway.REQUEST_MAX_STEPS; a control jump: emulator.control.routes.ADVANCE_MAX_STEPS),
so the figures should not grow with the size of the jump. A timing, so a benchmark and not a test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

JUMPS = {"a day": 86_400, "a month": 30 * 86_400, "a year": 365 * 86_400}


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--paused"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    url = re.search(r"http://[^ ]+/", proc.stdout.readline()).group(0).rstrip("/")  # type: ignore[union-attr]
    try:
        measure(url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(url: str) -> None:
    stop = threading.Event()
    polls: list[tuple[float, float]] = []  # (sent, took)

    def poll() -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while not stop.is_set():
                sent = time.monotonic()
                client.get("/api/meters/aggregates")
                polls.append((sent, time.monotonic() - sent))

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        with httpx.Client(base_url=url, timeout=120) as control:
            for name, seconds in JUMPS.items():
                time.sleep(0.5)
                began = time.monotonic()
                control.post("/_emulator/clock", json={"advance_s": seconds})
                took = time.monotonic() - began
                time.sleep(0.3)  # let the poll that waited behind the jump finish and be counted
                during = [t for s, t in polls if s <= began + took and s + t >= began]  # overlapping
                worst = max(during, default=0.0)
                print(
                    f"jump of {name:<8} answer {took * 1000:8.1f} ms   slowest concurrent poll {worst * 1000:8.1f} ms"
                )
    finally:
        stop.set()
        poller.join()


if __name__ == "__main__":
    main()
