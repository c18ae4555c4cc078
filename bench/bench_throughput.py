"""(a) Requests/s of GET /api/meters/aggregates against a bare Starlette JSON route.

Both run under the same uvicorn settings (emulator.serving.server.uvicorn_config), one
after the other, loaded by wrk (Debian package `wrk`) on loopback. The figure
that matters is the ratio; the target is >= 0.8.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DURATION_S, CONNECTIONS = 8, 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"server on port {port} did not start")


def measure(kind: str) -> float:
    port = free_port()
    server = subprocess.Popen([sys.executable, str(HERE / "_servers.py"), kind, str(port)])
    try:
        wait_until_up(port)
        url = f"http://127.0.0.1:{port}/api/meters/aggregates"
        subprocess.run(["wrk", "-t1", "-c8", "-d1s", url], capture_output=True, check=True)  # warm up
        out = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", url], capture_output=True, text=True, check=True
        ).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if errors:
            raise RuntimeError(f"{kind}: {errors.group(1)} error responses")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    finally:
        server.terminate()
        server.wait()


def main() -> dict[str, float]:
    if shutil.which("wrk") is None:
        sys.exit("bench_throughput needs wrk: apt-get install wrk")
    bare = measure("bare")
    emulator = measure("emulator")
    result = {"bare_rps": bare, "emulator_rps": emulator, "ratio": emulator / bare}
    print(f"bare Starlette route:      {bare:8.0f} req/s")
    print(f"emulator aggregates:       {emulator:8.0f} req/s")
    print(f"ratio (target >= 0.8):     {result['ratio']:8.2f}")
    return result


if __name__ == "__main__":
    main()
