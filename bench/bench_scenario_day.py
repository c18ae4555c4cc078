"""(e) Wall time of `scenario run` for a bundled day, without the process start: load, play, check.

A scenario plays the gateway at 1 s model steps with its events as timers, samples
every 60 s and evaluates the expectations (endpoint ones through the real app).
"""

from __future__ import annotations

import statistics
import time

from emulator.runner.engine import run
from emulator.scenario import resolve

RUNS = 5
NAMES = ("evening-outage", "sce-tou-autonomous", "login-stops-sitemaster")


def main() -> None:
    for name in NAMES:
        times = []
        for _ in range(RUNS):
            began = time.perf_counter()
            result = run(resolve(name), 60.0, None)
            times.append(time.perf_counter() - began)
            assert result.passed, name
        print(f"scenario {name}: median {statistics.median(times):.2f} s (min {min(times):.2f})")


if __name__ == "__main__":
    main()
