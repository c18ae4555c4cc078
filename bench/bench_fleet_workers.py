"""A fleet as 2 workers under the Home Assistant poll rate: gateways per core, RSS per gateway, p99 latency.

Method: ``teg-emulator serve --gateways N --workers 2`` is started as a user starts it (ports mode, one
listener per gateway, as in the Kubernetes StatefulSet). A load generator in this process logs in to every
gateway once (as Home Assistant's integration does), then reads the six
endpoints the integration polls (aggregates, soe, grid status, operation, sitemaster, site name) every
30 s per gateway over one connection per poll (TLS handshake included), each gateway at its own phase. After a warm-up of one poll period, it measures
for ``--seconds``:

- CPU: utime + stime of the worker processes (from /proc), so the generator's own CPU is not counted;
  gateways per core = N / (worker CPU seconds / wall seconds).
- RSS: the workers' VmRSS under load, less that of a 2 x 1-gateway fleet started the same way (the fixed
  cost of two interpreters), divided by N - 2.
- Latency: request sent to body read, at the generator (it shares the machine, so p99 includes its own
  scheduling delays: an upper bound).

    python bench/bench_fleet_workers.py [--gateways 1000] [--seconds 60] [--firmware 24.4.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import ssl
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLL_S = 30.0
READS = (
    "/api/meters/aggregates",
    "/api/system_status/soe",
    "/api/system_status/grid_status",
    "/api/operation",
    "/api/sitemaster",
    "/api/site_info/site_name",
)
TLS = ssl.create_default_context()
TLS.check_hostname, TLS.verify_mode = False, ssl.CERT_NONE  # the emulator's self-signed certificate


@dataclass
class Fleet:
    proc: subprocess.Popen[str]
    pids: list[int]
    members: list[dict[str, str]]


def start_fleet(gateways: int, workers: int, firmware: str) -> Fleet:
    command = [sys.executable, "-m", "emulator.cli", "serve", "--gateways", str(gateways)]
    command += ["--workers", str(workers), "--port", "0", "--firmware", firmware, "--log-level", "error"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    pids, listings = [], []
    for line in proc.stdout:
        if match := re.search(r"started, pid (\d+)", line):
            pids.append(int(match.group(1)))
        elif match := re.search(r"list: (\S+)", line):
            listings.append(match.group(1))
            if len(listings) == workers:
                break
    members = []
    for url in listings:
        with urllib.request.urlopen(url, context=TLS) as response:
            members += json.load(response)["gateways"]
    return Fleet(proc, pids, sorted(members, key=lambda m: int(m["index"])))


def stop(fleet: Fleet) -> None:
    fleet.proc.terminate()
    fleet.proc.wait(timeout=10)


def cpu_s(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def rss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        total_kb += int(match.group(1)) if match else 0
    return total_kb / 1024


@dataclass
class Stats:
    logged_in: int = 0
    all_in: asyncio.Event = field(default_factory=asyncio.Event)
    gateways: int = 0
    measuring: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0


async def request(reader, writer, method: str, path: str, host: str, headers: str = "", body: bytes = b""):  # type: ignore[no-untyped-def]
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {len(body)}\r\n\r\n"
    writer.write(head.encode() + body)
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    payload = await reader.readexactly(length)
    return int(status_line.split()[1]), payload


async def gateway(member: dict[str, str], stats: Stats, stop_at: float) -> None:
    """One Home Assistant poller: a login, then six reads every POLL_S over one connection per poll.

    A new connection per poll: the server closes keep-alive connections idle for 5 s (uvicorn's
    default), so a 30 s poller reconnects each time, TLS handshake included, as a real client would.
    """
    scheme, rest = member["url"].split("://")
    host, port = rest.rsplit(":", 1)
    tls = TLS if scheme == "https" else None
    reader, writer = await asyncio.open_connection(host, int(port), ssl=tls)
    login = json.dumps({"username": "customer", "password": member["password"], "email": "", "force_sm_off": False})
    status, payload = await request(
        reader, writer, "POST", "/api/login/Basic", rest, "Content-Type: application/json\r\n", login.encode()
    )
    writer.close()
    auth = f"Authorization: Bearer {json.loads(payload)['token']}\r\n" if status == 200 else ""
    stats.logged_in += 1
    if stats.logged_in == stats.gateways:
        stats.all_in.set()
    await stats.all_in.wait()  # the login burst is over before anyone polls
    await asyncio.sleep(random.uniform(0, POLL_S))
    while time.monotonic() < stop_at:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(host, int(port), ssl=tls)
        for path in READS:
            sent = time.perf_counter()
            status, _ = await request(reader, writer, "GET", path, rest, auth)
            if stats.measuring:
                stats.latencies_ms.append((time.perf_counter() - sent) * 1000)
                stats.errors += status != 200
        writer.close()
        await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - started)))


async def load(fleet: Fleet, seconds: float) -> dict[str, float]:
    stats = Stats(gateways=len(fleet.members))
    stop_at = time.monotonic() + 3600
    tasks = [asyncio.create_task(gateway(m, stats, stop_at)) for m in fleet.members]
    started = time.monotonic()
    await stats.all_in.wait()
    logins_s = time.monotonic() - started
    await asyncio.sleep(POLL_S)  # every gateway has polled once: the steady state
    stats.measuring = True
    cpu0, wall0 = cpu_s(fleet.pids), time.monotonic()
    await asyncio.sleep(seconds)
    cpu = cpu_s(fleet.pids) - cpu0
    wall = time.monotonic() - wall0
    rss = rss_mb(fleet.pids)
    stats.measuring = False
    for task in tasks:
        task.cancel()
    ordered = sorted(stats.latencies_ms)
    return {
        "logins_s": logins_s,
        "requests": len(ordered),
        "errors": stats.errors,
        "requests_per_s": len(ordered) / wall,
        "worker_cpu_cores": cpu / wall,
        "rss_mb": rss,
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--firmware", default="24.4.0")
    args = parser.parse_args()
    random.seed(0)

    idle = start_fleet(args.workers, args.workers, args.firmware)
    time.sleep(2)
    base_rss = rss_mb(idle.pids)
    stop(idle)

    fleet = start_fleet(args.gateways, args.workers, args.firmware)
    try:
        result = asyncio.run(load(fleet, args.seconds))
    finally:
        stop(fleet)
    per_gateway_mb = (result["rss_mb"] - base_rss) / (args.gateways - args.workers)
    print(
        f"fleet: {args.gateways} gateways ({args.firmware}), {args.workers} workers, ports mode, on {os.cpu_count()} cores"
    )
    print(f"load: six reads per gateway every {POLL_S:.0f} s, a connection per poll; measured {args.seconds:.0f} s")
    print(
        f"  {args.gateways} logins took {result['logins_s']:.1f} s (not measured); load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  requests {result['requests']:.0f} ({result['requests_per_s']:.1f}/s), errors {result['errors']:.0f}")
    print(
        f"  worker CPU {result['worker_cpu_cores']:.3f} cores -> {args.gateways / result['worker_cpu_cores']:.0f} gateways per core"
    )
    print(
        f"  RSS {result['rss_mb']:.0f} MB (2 idle 1-gateway workers: {base_rss:.0f} MB) -> {per_gateway_mb:.2f} MB per gateway"
    )
    print(f"  latency p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
