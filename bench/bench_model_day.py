"""(c) CPU time to simulate one day at 1 s resolution (target <= 1 s).

86,400 model steps of one second each, with the default site (one Powerwall,
6 kW PV, seeded clouds and load); median CPU time of several runs.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from emulator.model import Controls, SiteConfig, SiteModel, initial_state

RUNS = 5
DAY_S = 86_400


def one_day() -> float:
    config = SiteConfig(powerwalls=2)
    start = datetime(2026, 7, 1, 7, 0, tzinfo=UTC).timestamp()
    model = SiteModel(config, initial_state(config, start, 50.0))
    controls = Controls()
    began = time.process_time()
    model.advance_to(start + DAY_S, controls, max_steps=DAY_S, step_s=1.0)
    return time.process_time() - began


def main() -> float:
    times = [one_day() for _ in range(RUNS)]
    median = statistics.median(times)
    print(f"one simulated day at 1 s resolution: median {median:.3f} s CPU (target <= 1 s)")
    return median


if __name__ == "__main__":
    main()
