"""Requests/s, p50 and p99 of the emulator's hot reads against a bare Starlette route, on both HTTP stacks.

Method: the server runs pinned to one core (``taskset -c 0``), ``wrk -t1 -c32`` pinned to the other
(``taskset -c 1``). Each case is measured against two baselines, side by side:

* the fastest stack: the emulator as ``teg-emulator serve`` starts it (httptools + uvloop) against the bare
  app on ``uvicorn[standard]`` (``uvicorn _bare_app:app --http httptools --loop uvloop --no-access-log``);
* the same stack: both on h11 + asyncio (``serve --http h11 --event-loop asyncio``, ``uvicorn --http h11
  --loop asyncio``), the comparison issue 13 made.

The bare route (bench/_bare_app.py) answers the body captured from the emulator for the same case (JSON
re-encoded per request, the TEDAPI's protobuf as the same bytes), over the same transport (TLS included,
same certificate) with the same request headers. Bare and emulator runs alternate, 3 pairs; each figure is
the median of the per-pair ratios. Beside req/s: the server's CPU time per request (from /proc, user +
system), whose bare/emulator ratio is the same capacity figure but barely moved by other load.

    python bench/bench_throughput.py [--seconds 5] [--pairs 3] [--case TEXT ...] [--stack fast|h11 ...]
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _common import BIN, HERE, LOAD_CORE, PINNED, SERVER_CORE, fetch, free_port, pinned, started, wait_until_answering
from _common import wrk as run_wrk

PASSWORD, GW_PASSWORD = "bench-password", "BENCHGWPWD"
AGGREGATES, SOE, TEDAPI = "/api/meters/aggregates", "/api/system_status/soe", "/tedapi/v1"


@dataclass(frozen=True)
class Case:
    name: str
    firmware: str
    speed: float
    path: str
    tls: bool = False


CASES = (
    Case("1.15.0 aggregates, HTTP, speed 1", "1.15.0", 1, AGGREGATES),
    Case("1.15.0 aggregates, HTTP, speed 60", "1.15.0", 60, AGGREGATES),
    Case("1.15.0 aggregates, HTTP, speed 3600", "1.15.0", 3600, AGGREGATES),
    Case("1.15.0 soe, HTTP, speed 60", "1.15.0", 60, SOE),
    Case("24.4.0 aggregates, HTTPS + cookie, speed 60", "24.4.0", 60, AGGREGATES, tls=True),
    Case("24.4.0 soe, HTTPS + cookie, speed 60", "24.4.0", 60, SOE, tls=True),
    Case("25.10.1 TEDAPI status query, HTTPS, speed 60", "25.10.1", 60, TEDAPI, tls=True),
)
STACKS = {  # name -> (the emulator's flags, the bare uvicorn's flags)
    "fast": ([], ["--http", "httptools", "--loop", "uvloop"]),
    "h11": (["--http", "h11", "--event-loop", "asyncio"], ["--http", "h11", "--loop", "asyncio"]),
}
STACK_NAMES = {"fast": "httptools + uvloop", "h11": "h11 + asyncio"}
BARE_VARIABLES = ("BARE_PATH", "BARE_METHOD", "BARE_TYPE", "BARE_BODY")


def emulator_argv(case: Case, port: int, stack: str, tls: tuple[str, str] | None) -> list[str]:
    argv = [str(BIN / "teg-emulator"), "serve", "--port", str(port), "--firmware", case.firmware]
    argv += ["--speed", f"{case.speed:g}", "--password", PASSWORD, "--gw-password", GW_PASSWORD]
    argv += (
        ["--cert", tls[0], "--key", tls[1]] if case.tls and tls else ["--no-tls"] if case.firmware != "1.15.0" else []
    )
    return pinned(SERVER_CORE, [*argv, *STACKS[stack][0]])


def bare_argv(port: int, stack: str, tls: tuple[str, str] | None) -> list[str]:
    argv = [str(BIN / "uvicorn"), "_bare_app:app", "--app-dir", str(HERE), "--port", str(port)]
    argv += ["--no-access-log", "--no-server-header", "--log-level", "warning", *STACKS[stack][1]]
    argv += ["--ssl-certfile", tls[0], "--ssl-keyfile", tls[1]] if tls else []
    return pinned(SERVER_CORE, argv)


def session_headers(case: Case, base: str) -> dict[str, str]:
    """What a real client sends: 24.4.0's cookie session (pypowerwall), the TEDAPI's HTTP Basic."""
    if case.path == TEDAPI:
        from contract_tests.tedapi import basic_auth

        return {**basic_auth(GW_PASSWORD), "Content-Type": "application/octet-stream"}
    if case.firmware == "1.15.0":
        return {}
    body = json.dumps({"username": "customer", "password": PASSWORD, "email": "a@b.c", "force_sm_off": False})
    _, cookies = fetch(base + "/api/login/Basic", body.encode(), {"content-type": "application/json"})
    return {"Cookie": "; ".join(c.split(";", 1)[0] for c in cookies)}


def request_body(case: Case, base: str, headers: dict[str, str]) -> bytes:
    """The TEDAPI status query pypowerwall sends (its signed query, to this gateway's DIN); b"" for a GET."""
    if case.path != TEDAPI:
        return b""
    from contract_tests.tedapi import query_request
    from emulator.contract.signed_query import status_query

    query = status_query()
    if query is None:
        sys.exit("the TEDAPI case needs pypowerwall's signed status query: pip install pypowerwall==0.22.2")
    din = fetch(base + "/tedapi/din", headers=headers)[0].decode().strip()
    return query_request(din, query)


def run_case(case: Case, stack: str, seconds: int, pairs: int, tls: tuple[str, str] | None) -> dict[str, object]:
    scheme = "https" if case.tls else "http"
    folder = tempfile.mkdtemp(prefix="bench-body-")
    try:
        port = free_port()
        base = f"{scheme}://127.0.0.1:{port}"
        with started(emulator_argv(case, port, stack, tls)) as proc:  # capture the answer the bare side gives
            wait_until_answering(base + "/api/status", proc)
            captured = session_headers(case, base)  # the bare side is sent the same header bytes
            body = request_body(case, base, captured)
            answer, _ = fetch(base + case.path, body or None, captured)
        body_file = Path(folder) / "answer"
        body_file.write_bytes(answer)
        kind = "application/octet-stream" if case.path == TEDAPI else "application/json"
        env = {**os.environ, "BARE_PATH": case.path, "BARE_BODY": str(body_file), "BARE_TYPE": kind}
        env["BARE_METHOD"] = "POST" if body else "GET"
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        rows, commands = [], {}
        for _ in range(pairs):
            pair = {}
            for side in ("bare", "emulator"):
                port = free_port()
                base = f"{scheme}://127.0.0.1:{port}"
                if side == "bare":
                    argv = bare_argv(port, stack, tls if case.tls else None)
                    prefix = " ".join(f"{k}={shlex.quote(env[k])}" for k in BARE_VARIABLES) + " "
                else:
                    argv, prefix = emulator_argv(case, port, stack, tls), ""
                with started(argv, env if side == "bare" else None) as proc:
                    wait_until_answering(base + "/api/status", proc)
                    headers = session_headers(case, base) if side == "emulator" else captured
                    pair[side] = run_wrk(base + case.path, seconds, headers, proc.pid, body=body)
                commands[side] = f"{prefix}{shlex.join(argv)} &  {pair[side]['command']}"
            bare, emu = pair["bare"], pair["emulator"]
            rows.append(
                {
                    "bare_rps": bare["rps"],
                    "emulator_rps": emu["rps"],
                    "rps_ratio": emu["rps"] / bare["rps"],
                    "p50_ratio": emu["p50_ms"] / bare["p50_ms"],
                    "p99_ratio": emu["p99_ms"] / bare["p99_ms"],
                    "bare_cpu_us": bare["cpu_us"],
                    "emulator_cpu_us": emu["cpu_us"],
                    "cpu_ratio": bare["cpu_us"] / emu["cpu_us"],
                }
            )
        result: dict[str, object] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        result["body_bytes"] = len(answer)
        result["commands"] = commands
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def certificate() -> tuple[str, str]:
    """One self-signed certificate for both sides of the HTTPS cases, as files (the bare uvicorn loads files)."""
    from emulator.serving.tls import self_signed

    identity = self_signed().identity
    folder = tempfile.mkdtemp(prefix="bench-tls-")
    atexit.register(shutil.rmtree, folder, True)
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    Path(cert).write_bytes(identity.chain_pem)
    Path(key).write_bytes(identity.key_pem)
    return cert, key


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--case", action="append", help="run only cases whose name contains this")
    parser.add_argument("--stack", action="append", choices=sorted(STACKS), help="default: both")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench_throughput needs wrk: apt-get install wrk")
    if PINNED:
        print(f"server pinned to core {SERVER_CORE}, wrk to core {LOAD_CORE} (taskset)")
    else:
        print("WARNING: one core only: server and wrk share it; read the ratios, not the req/s")
    print("ratios are emulator/bare from alternating runs (median of pairs); absolute req/s vary with machine load")
    tls = certificate()
    results: dict[str, object] = {}
    for case in CASES:
        if args.case and not any(part in case.name for part in args.case):
            continue
        for stack in args.stack or ["fast", "h11"]:
            r = run_case(case, stack, args.seconds, args.pairs, tls)
            results[f"{case.name} [{stack}]"] = r
            print(
                f"{case.name:46s} {STACK_NAMES[stack]:18s} body {r['body_bytes']:5d} B"
                f"  bare {r['bare_rps']:7.0f} emulator {r['emulator_rps']:7.0f} req/s  ratio {r['rps_ratio']:.2f}"
                f"  p50 {r['p50_ratio']:.2f} p99 {r['p99_ratio']:.2f}"
                f"  CPU/request {r['bare_cpu_us']:.0f} -> {r['emulator_cpu_us']:.0f} us ({r['cpu_ratio']:.2f})",
                flush=True,
            )
            for side, command in r["commands"].items():  # type: ignore[attr-defined]
                print(f"    {side:8s} {command}")
    return results


if __name__ == "__main__":
    main()
