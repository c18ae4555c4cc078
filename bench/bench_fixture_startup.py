"""(d) What the `teg_emulator` fixture costs per test: start a server, first answer, stop.

Times `emulator.running(...).start()` (what the fixture calls) up to the first answer of
/api/status, and then the stop, for HTTP (1.15.0) and HTTPS (24.4.0; the session's
self-signed certificate is made once, as in a test session). Median of N runs.
"""

from __future__ import annotations

import ssl
import statistics
import time
import urllib.request

from emulator.serving.listener import _self_signed
from emulator.testing import running

RUNS = 50


def one_run(settings: dict[str, object]) -> tuple[float, float]:
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    started = time.perf_counter()
    handle = running(**settings).start()
    with urllib.request.urlopen(handle.url + "/api/status", timeout=5, context=insecure) as response:
        response.read()
    ready = time.perf_counter()
    handle.stop()
    return ready - started, time.perf_counter() - ready


def measure(label: str, settings: dict[str, object]) -> float:
    one_run(settings)  # warm imports and, for HTTPS, the session certificate
    runs = [one_run(settings) for _ in range(RUNS)]
    start = statistics.median(r[0] for r in runs)
    stop = statistics.median(r[1] for r in runs)
    print(
        f"fixture {label}: start to first answer median {start * 1000:.1f} ms, stop {stop * 1000:.1f} ms (target < 1000 ms)"
    )
    return start


def main() -> None:
    _self_signed("ec", None)
    measure("HTTP  1.15.0", {"firmware": "1.15.0"})
    measure("HTTPS 24.4.0", {"firmware": "24.4.0"})


if __name__ == "__main__":
    main()
