"""Soak: the emulator's resident memory over many requests with logins, faults and the journal in use.

    python bench/bench_soak.py [TOTAL_REQUESTS]     # default 500000

Serves 24.4.0 (logins create sessions) over plain HTTP with `teg-emulator serve`, adds two fault
rules (a 503 preset on a tenth of /api/status, 1 ms latency on the SOE), and drives it with wrk
(Debian package `wrk`) in 10 s segments until TOTAL_REQUESTS have been answered. Each wrk
connection cycles through a mix: a real login, a malformed login (400), an aggregates poll, a
status poll (sometimes faulted), an SOE poll, a request with a forged token, and a journal read.
After each segment it prints the server's VmRSS (from /proc) and the session count, so a leak
shows as a line that keeps climbing. Not a test: it takes minutes and reports, never asserts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEGMENT_S, CONNECTIONS, THREADS = 10, 16, 2
LUA = r"""
local password = os.getenv("TEG_SOAK_PASSWORD")
local login = '{"username":"customer","email":"me@example.com","password":"' .. password .. '","force_sm_off":false}'
local mix = {}
init = function(args)
  mix = {
  wrk.format("POST", "/api/login/Basic", {["Content-Type"] = "application/json"}, login),
  wrk.format("POST", "/api/login/Basic", {["Content-Type"] = "application/json"}, '{"username": "customer", "password": '),
  wrk.format("GET", "/api/meters/aggregates"),
  wrk.format("GET", "/api/status"),
  wrk.format("GET", "/api/system_status/soe"),
  wrk.format("GET", "/api/customer", {["Authorization"] = "Bearer forged"}),
  wrk.format("GET", "/api/meters/aggregates"),
  wrk.format("GET", "/_emulator/requests?limit=5"),
  }
end
local i = 0
request = function()
  i = i + 1
  return mix[(i % #mix) + 1]
end
"""


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


def control(url: str, path: str, body: object | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "emulator.cli", "serve", "--firmware", "24.4.0", "--no-tls", "--port", "0"]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None
        url = re.search(r"http://[^ ]+/", server.stdout.readline()).group(0).rstrip("/")  # type: ignore[union-attr]
        password = re.search(r"login password: (\S+)", server.stdout.readline()).group(1)  # type: ignore[union-attr]
        control(
            url,
            "/_emulator/faults",
            {"path": "/api/status", "kind": "status", "preset": "config_busy", "probability": 0.1},
        )
        control(url, "/_emulator/faults", {"path": "/api/system_status/soe", "kind": "latency", "latency_ms": 1})
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA)
        done, started = 0, time.monotonic()
        print(f"{'requests':>10} {'RSS MiB':>8} {'sessions':>8} {'journal':>8}  (server pid {server.pid})")
        print(f"{done:>10} {rss_kib(server.pid) / 1024:>8.1f}")
        while done < total:
            run = subprocess.run(
                ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SEGMENT_S}s", "-s", script.name, url],
                capture_output=True,
                text=True,
                env={**env, "TEG_SOAK_PASSWORD": password},
                check=True,
            )
            done += int(re.search(r"(\d+) requests in", run.stdout).group(1))  # type: ignore[union-attr]
            errors = re.search(r"Socket errors: .*", run.stdout)
            state = control(url, "/_emulator/state")
            journal = control(url, "/_emulator/requests")
            print(
                f"{done:>10} {rss_kib(server.pid) / 1024:>8.1f} {state['sessions']:>8} "  # type: ignore[index]
                f"{len(journal['requests']):>8}  {errors.group(0) if errors else ''}",  # type: ignore[index]
                flush=True,
            )
        elapsed = time.monotonic() - started
        print(
            f"{done} requests in {elapsed:.0f} s ({done / elapsed:.0f}/s), {CONNECTIONS} connections, {os.cpu_count()} cores"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
