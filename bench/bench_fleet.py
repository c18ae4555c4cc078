"""A fleet at scale: memory per gateway and requests/s, host mode and ports mode.

Method: ``teg-emulator serve --gateways N`` runs pinned to one core (``taskset -c 0``), the load on the other.
- RSS per gateway: (RSS of the N-gateway fleet - RSS of a 1-gateway server) / (N - 1), read from /proc after
  start and again after the polling run (every member then holds its snapshots, cached bodies and journal).
- Home Assistant load: every gateway is polled as the Powerwall integration does, six reads back to back
  every 30 s, the gateways' phases spread evenly over the 30 s, from 64 client connections (host mode: kept
  alive and shared by all Host names; ports mode: a fresh connection per poll, as uvicorn closes idle ones
  after 5 s); latency counts from the instant a read was due, so falling behind shows up as latency, not as a
  lower rate. The client's own CPU share is printed: on a busy machine it, not the server, can fall behind.
- Capacity: ``wrk -t1 -c32`` cycling over every gateway's Host name and the six paths (host mode), or over the
  six paths of one member's port (ports mode); gateways per core = req/s / (6 reads / 30 s).

    python bench/bench_fleet.py [--gateways 5000] [--ports-gateways 1000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LOAD_CORE, SERVER_CORE, cpu_s, pinned

READS = (
    "/api/meters/aggregates",
    "/api/system_status/soe",
    "/api/system_status/grid_status",
    "/api/sitemaster",
    "/api/site_info/site_name",
    "/api/status",
)
POLL_S = 30.0
CONNECTIONS = 64


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


STACK_FLAGS = {"fast": [], "h11": ["--http", "h11", "--event-loop", "asyncio"]}
STACK = "fast"  # --stack: which HTTP stack the fleet serves on (the banner's last line says which)


def start_fleet(count: int, mode: str) -> tuple[subprocess.Popen[str], int, list[str]]:
    """Start the fleet as a user would; return (process, first port, each member's Host name or port)."""
    argv = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--gateways", str(count)]
    argv += [
        "--firmware",
        "1.15.0",
    ]  # plain HTTP, open reads: what these figures have always been (serve's default is 24.4.0)
    argv += ["--fleet-mode", mode] if count > 1 else []
    argv += STACK_FLAGS[STACK]
    proc = subprocess.Popen(pinned(SERVER_CORE, argv), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    members: list[str] = []
    for line in proc.stdout:
        found = re.search(r"https?://([\w.-]+):(\d+)", line)
        if "teg-emulator" in line and count == 1 and found:
            return proc, int(found.group(2)), [found.group(1)]
        if line.strip().startswith("list:") and found:
            return proc, int(found.group(2)), members
        if found:
            members.append(found.group(1) if mode == "host" else found.group(2))
    raise RuntimeError("the fleet never said where it listens")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait()


async def _read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench-fleet\r\nAccept: */*\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def home_assistant(
    targets: list[tuple[str, int]], seconds: float, keep_alive: bool, spread_s: float = POLL_S
) -> dict[str, float]:
    """Poll every gateway (Host name, port) six reads per 30 s, phases spread evenly; latency from the due time.

    ``spread_s=0`` polls every gateway once, as fast as the server answers (the warm-up).
    """
    n = len(targets)
    cycles = range(max(1, int(seconds // POLL_S)))
    polls = sorted((i * spread_s / n + k * POLL_S, i) for k in cycles for i in range(n))
    queue: asyncio.Queue[tuple[float, int]] = asyncio.Queue()
    for poll in polls:
        queue.put_nowait(poll)
    latencies: list[float] = []
    errors = 0
    t0, cpu0 = time.monotonic() + 0.5, time.process_time()

    async def worker() -> None:
        nonlocal errors
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while not queue.empty():
            due, index = queue.get_nowait()
            delay = t0 + due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            host, port = targets[index]
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", port)
            for path in READS:
                status = await _read(*conn, host, path)
                errors += status != 200
                latencies.append(time.monotonic() - (t0 + due))
            if not keep_alive:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    elapsed = time.monotonic() - t0
    latencies.sort()
    return {
        "reads": len(latencies),
        "errors": errors,
        "rate": len(latencies) / elapsed,
        "client_cpu": (time.process_time() - cpu0) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def wrk_capacity(port: int, hosts: list[str], seconds: int) -> tuple[float, str]:
    """Max req/s with wrk cycling over the members' Host names (or ports mode: one port) and the six reads."""
    script = "local hosts = {" + ",".join(f'"{h}"' for h in hosts) + "}\n"
    script += "local paths = {" + ",".join(f'"{p}"' for p in READS) + "}\n"
    script += (
        "local i = 0\nrequest = function()\n  i = i + 1\n"
        "  local h = hosts[math.floor(i / 6) % #hosts + 1]\n"
        '  return wrk.format("GET", paths[i % 6 + 1], {["Host"] = h})\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    argv = pinned(LOAD_CORE, ["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", f.name, f"http://127.0.0.1:{port}/"])
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    if "Non-2xx" in out:
        raise RuntimeError(out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), shlex.join(argv)  # type: ignore[union-attr]


def run_mode(mode: str, count: int, seconds: float, baseline_mb: float) -> dict[str, float]:
    proc, port, members = start_fleet(count, mode)
    try:
        time.sleep(0.5)
        started_mb = rss_mb(proc.pid)
        if mode == "host":
            targets = [(member, port) for member in members]
        else:
            targets = [(f"127.0.0.1:{member}", int(member)) for member in members]
        asyncio.run(home_assistant(targets, POLL_S, keep_alive=mode == "host", spread_s=0))  # every member's first poll
        cpu0 = cpu_s(proc.pid)
        ha = asyncio.run(home_assistant(targets, seconds, keep_alive=mode == "host"))
        ha_cpu_s = cpu_s(proc.pid) - cpu0
        ha_cpu = ha_cpu_s / (max(POLL_S, seconds) + 0.5)
        polled_mb = rss_mb(proc.pid)
        rps, command = wrk_capacity(port, members if mode == "host" else [f"127.0.0.1:{port}"], 10)
    finally:
        stop(proc)
    result = {
        "gateways": count,
        "rss_start_mb": started_mb,
        "rss_polled_mb": polled_mb,
        "kb_per_gateway_start": (started_mb - baseline_mb) * 1024 / (count - 1),
        "kb_per_gateway_polled": (polled_mb - baseline_mb) * 1024 / (count - 1),
        "capacity_rps": rps,
        "gateways_per_core": rps * POLL_S / len(READS),
        "cpu_us_per_read": ha_cpu_s / ha["reads"] * 1e6,
        "gateways_per_core_by_cpu": POLL_S / len(READS) / (ha_cpu_s / ha["reads"]),
        "ha_core_share": ha_cpu,
        **{f"ha_{k}": v for k, v in ha.items()},
    }
    print(f"{mode} mode, {count} gateways (server on core {SERVER_CORE}, load on core {LOAD_CORE}):")
    print(
        f"  RSS {started_mb:.0f} MB at start, {polled_mb:.0f} MB after polling; per gateway"
        f" {result['kb_per_gateway_start']:.1f} KB at start, {result['kb_per_gateway_polled']:.1f} KB polled"
        f" (1-gateway server: {baseline_mb:.0f} MB)"
    )
    print(
        f"  Home Assistant load ({len(READS)} reads / {POLL_S:.0f} s each, {seconds:.0f} s):"
        f" {ha['rate']:.0f} reads/s, {ha['errors']} errors, latency from due time p50 {ha['p50_ms']:.1f} ms"
        f" p99 {ha['p99_ms']:.1f} ms; CPU: server {ha_cpu * 100:.0f} %, client {ha['client_cpu'] * 100:.0f} % of a core"
    )
    print(
        f"  server CPU per read under that load {result['cpu_us_per_read']:.0f} us ="
        f" {result['gateways_per_core_by_cpu']:.0f} gateways per core at the HA poll rate"
    )
    print(f"  wrk capacity {rps:.0f} req/s = {result['gateways_per_core']:.0f} gateways per core at the HA poll rate")
    print(f"    {command}")
    return result


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, default=5000)
    parser.add_argument("--ports-gateways", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--stack", choices=sorted(STACK_FLAGS), default="fast", help="fast: httptools + uvloop")
    args = parser.parse_args(argv)
    global STACK
    STACK = args.stack
    proc, _, _ = start_fleet(1, "host")
    time.sleep(0.5)
    baseline = rss_mb(proc.pid)
    stop(proc)
    print(
        f"stack: {args.stack}; absolute req/s vary with other load; RSS and the HA latency at its rate are the figures"
    )
    return {
        "host": run_mode("host", args.gateways, args.seconds, baseline),
        "ports": run_mode("ports", args.ports_gateways, args.seconds, baseline),
    }


if __name__ == "__main__":
    main()
