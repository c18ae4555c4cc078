"""How long a big clock jump through the control API holds other clients up.

    python bench/bench_clock_jump.py [--root CHECKOUT] [--repeats N]

Serves 1.15.0 paused with `teg-emulator serve` in a process of its own (from ``--root``, default
this checkout: point it at an export of an older commit to compare in the same run), and asks
POST /_emulator/clock for jumps of a day, a month and a year while client threads poll without
pause. Two cases:

* **one gateway**: pollers of the gateway being advanced — GET /api/meters/aggregates (waits for
  the jump by design: emulator.http.turn) and GET /_emulator/faults (never touches the site);
* **fleet of 2** (`--gateways 2`, ports mode): the jump on member 1, GET /api/meters/aggregates
  polled on member 2.

For each jump it reports the jump's own answer time and, per poller, the slowest poll that
overlapped the jump and how many polls were answered while it ran. With the catch-up run in
slices (emulator.http.turn.SLICE_STEPS model steps per event-loop turn), a poll that does not
need the gateway being advanced waits at most about one slice; run at once, it waits for the
whole jump. A window of the same polls with no jump running is reported for scale. Medians over
``--repeats`` rounds. A timing, so a benchmark and not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
JUMPS = {"a day": 86_400, "a month": 30 * 86_400, "a year": 365 * 86_400}
QUIET_S = 1.5  # a window with no jump, to show what a poll costs anyway on this machine


@contextmanager
def serve(root: Path, *args: str) -> Iterator[list[str]]:
    """The served gateways' base URLs."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--paused", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=root)
    assert proc.stdout is not None
    try:
        urls: list[str] = []
        for line in proc.stdout:
            if "list:" in line:  # a fleet: one line per member before it
                break
            urls += [u.rstrip("/") for u in re.findall(r"(http://127\.0\.0\.1:\d+)/?(?:\s|$)", line)]
            if urls and "--gateways" not in args:
                break
        yield urls
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Poller:
    """A thread that GETs one URL again and again, remembering when each poll was sent and how long it took."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url
        self.polls: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with httpx.Client(timeout=120) as client:
            while not self._stop.is_set():
                sent = time.monotonic()
                client.get(self.url).raise_for_status()
                self.polls.append((sent, time.monotonic() - sent))

    def during(self, began: float, ended: float) -> list[float]:
        """How long each poll took that overlapped [began, ended]."""
        return [took for sent, took in self.polls if sent <= ended and sent + took >= began]

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(jump_url: str, pollers: list[Poller], repeats: int) -> dict[str, list[tuple[float, dict[str, float]]]]:
    """Per jump: (answer s, {poller: slowest overlapping poll s}) for each round."""
    results: dict[str, list[tuple[float, dict[str, float]]]] = {name: [] for name in JUMPS}
    with httpx.Client(base_url=jump_url, timeout=120) as control:
        for _ in range(repeats):
            for name, seconds in JUMPS.items():
                time.sleep(0.3)
                began = time.monotonic()
                control.post("/_emulator/clock", json={"advance_s": seconds}).raise_for_status()
                ended = time.monotonic()
                time.sleep(0.3)  # let the polls that waited behind the jump finish and be counted
                slowest = {p.name: max(p.during(began, ended), default=0.0) for p in pollers}
                answered = {f"{p.name} answered": float(len(p.during(began, ended))) for p in pollers}
                results[name].append((ended - began, slowest | answered))
        began = time.monotonic()  # the same pollers with no jump running, for scale
        time.sleep(QUIET_S)
        slowest = {p.name: max(p.during(began, began + QUIET_S), default=0.0) for p in pollers}
        answered = {f"{p.name} answered": float(len(p.during(began, began + QUIET_S))) for p in pollers}
        results["no jump"] = [(QUIET_S, slowest | answered)]
    return results


def report(case: str, results: dict[str, list[tuple[float, dict[str, float]]]]) -> None:
    print(f"{case}:")
    for name, rounds in results.items():
        answer = statistics.median(r[0] for r in rounds) * 1000
        parts = []
        for key in rounds[0][1]:
            value = statistics.median(r[1][key] for r in rounds)
            parts.append(f"{key} {value:.0f}" if key.endswith("answered") else f"slowest {key} {value * 1000:.1f} ms")
        label = f"{name:<16} window" if name == "no jump" else f"jump of {name:<8} answer"
        print(f"  {label} {answer:7.1f} ms | " + " | ".join(parts))


def slice_work(root: Path) -> None:
    """In a process of its own, from ``root``: the CPU time of one slice, and of the year's catch-up run at once."""
    code = """
import statistics, time
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.control.routes import ADVANCE_MAX_STEPS
from emulator.http.turn import SLICE_STEPS
year = 365 * 86_400
whole, sliced = build_gateway(EmulatorOptions(firmware="1.15.0", paused=True)), build_gateway(EmulatorOptions(firmware="1.15.0", paused=True))
for gw in (whole, sliced):
    gw.catch_up()
    gw.clock.advance(year)
began = time.process_time()
whole.catch_up(max_steps=ADVANCE_MAX_STEPS)
at_once = time.process_time() - began
sliced.begin_catch_up(ADVANCE_MAX_STEPS)
times = []
while True:
    began = time.process_time()
    done = sliced.catch_up_slice(SLICE_STEPS)
    times.append(time.process_time() - began)
    if done:
        break
assert sliced.model.state == whole.model.state, "sliced and at-once catch-ups must end in the same state"
print(f"  a year's catch-up at once {at_once * 1000:.0f} ms; in {len(times)} slices of {SLICE_STEPS} steps: "
      f"median {statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms, "
      f"sum {sum(times) * 1000:.0f} ms; end states identical")
"""
    print("CPU time per slice (in-process, no server):")
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(root)}, check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"serving {args.root}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    with serve(args.root) as (url,):
        pollers = [Poller("aggregates poll (same gateway)", url + "/api/meters/aggregates")]
        pollers.append(Poller("faults list (same gateway)", url + "/_emulator/faults"))
        with pollers[0], pollers[1]:
            report("one gateway", measure(url, pollers, args.repeats))
    with serve(args.root, "--gateways", "2") as urls:
        with Poller("aggregates poll (other gateway)", urls[1] + "/api/meters/aggregates") as other:
            report("fleet of 2, jump on member 1", measure(urls[0], [other], args.repeats))
    if (args.root / "emulator" / "serving" / "turn.py").exists():
        slice_work(args.root)
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
