"""(b) Time from process start to the first answer of `teg-emulator serve` (target <= 400 ms).

Starts the CLI as a user would (python -m emulator.cli serve --port 0), reads
the printed URL, and polls /api/status until it answers; median of N runs.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
import urllib.request

RUNS = 7


def one_run() -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator.cli", "serve", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = re.search(r"(http://\S+?)/?$", proc.stdout.readline().strip()).group(1)  # type: ignore[union-attr]
        while True:
            try:
                with urllib.request.urlopen(url + "/api/status", timeout=1) as response:
                    response.read()
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait()


def main() -> float:
    times = [one_run() for _ in range(RUNS)]
    median = statistics.median(times)
    print(
        f"start to first answer: median {median * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; target <= 400 ms)"
    )
    return median


if __name__ == "__main__":
    main()
