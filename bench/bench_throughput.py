"""Requests/s, p50 and p99 of the emulator's hot reads against a bare Starlette route, measured honestly.

Method: the server runs pinned to one core (``taskset -c 0``), the load generator ``wrk -t1 -c32`` pinned to
the other (``taskset -c 1``); the bare route answers the JSON body captured from the emulator for the same
case (same size and shape, re-encoded per request by ``JSONResponse``), over the same transport (TLS included)
and with the same request headers; bare and emulator runs alternate, 3 pairs, and each figure is the median
of the three per-pair ratios. Beside req/s it reports the server's CPU time per request (from /proc, user +
system), whose bare/emulator ratio is the same capacity figure but barely moved by other load on the machine. On a machine with one core both share it (printed as a warning), and ratios
from alternating runs are still the figure to read: absolute req/s move with whatever else runs.

    python bench/bench_throughput.py [--seconds 5] [--pairs 3] [--case NAME ...]

Every emulator server is started as a user starts it: ``python -m emulator.cli serve --port 0 ...``.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shlex
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONNECTIONS = 32


@dataclass(frozen=True)
class Case:
    name: str
    firmware: str
    speed: float
    path: str
    tls: bool = False

    @property
    def cookie_session(self) -> bool:
        return self.firmware != "1.15.0"


CASES = (
    Case("1.15.0 aggregates speed 1", "1.15.0", 1, "/api/meters/aggregates"),
    Case("1.15.0 aggregates speed 60", "1.15.0", 60, "/api/meters/aggregates"),
    Case("1.15.0 aggregates speed 3600", "1.15.0", 3600, "/api/meters/aggregates"),
    Case("1.15.0 soe speed 60", "1.15.0", 60, "/api/system_status/soe"),
    Case("1.15.0 soe speed 3600", "1.15.0", 3600, "/api/system_status/soe"),
    Case("24.4.0 HTTPS+cookie aggregates speed 60", "24.4.0", 60, "/api/meters/aggregates", tls=True),
    Case("24.4.0 HTTPS+cookie soe speed 60", "24.4.0", 60, "/api/system_status/soe", tls=True),
)


def cores() -> tuple[str, str, bool]:
    """(server core, load core, pinned?): different cores when there are two."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) >= 2 and shutil.which("taskset"):
        return str(available[0]), str(available[1]), True
    return str(available[0]), str(available[0]), False


SERVER_CORE, LOAD_CORE, PINNED = cores()
SERVER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONUNBUFFERED": "1"}
"""Servers may write bytecode caches, as every installed package has them: start-up compares imports, not compiles."""


def pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if shutil.which("taskset") else argv


@contextmanager
def started(argv: list[str]) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """Start a server that prints its URL on its first line; yield (process, base url, banner lines)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=SERVER_ENV)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"(https?://[\d.]+:\d+)", first)
        if match is None:
            raise RuntimeError(f"server did not say where it listens: {first!r}")
        lines = [first]
        if "teg-emulator" in first:
            lines += [proc.stdout.readline() for _ in range(2)]  # password, control API
        yield proc, match.group(1), lines
    finally:
        proc.terminate()
        proc.wait()


def emulator_argv(case: Case, tls: tuple[str, str] | None) -> list[str]:
    argv = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--speed", str(case.speed)]
    argv += ["--firmware", case.firmware]
    if tls:
        argv += ["--cert", tls[0], "--key", tls[1]]
    elif case.firmware != "1.15.0":
        argv += ["--no-tls"]
    return argv


def bare_argv(case: Case, body_file: str, tls: tuple[str, str] | None) -> list[str]:
    argv = [sys.executable, str(HERE / "_bare.py"), "--port", "0", "--body", body_file, "--path", case.path]
    if tls:
        argv += ["--cert", tls[0], "--key", tls[1]]
    return argv


_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[bytes, list[str]]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5, context=_INSECURE) as response:
        return response.read(), response.headers.get_all("set-cookie") or []


def login_headers(case: Case, base: str, banner: list[str]) -> list[str]:
    """wrk -H arguments: the 24.4.0 cookie session a real client (pypowerwall) keeps."""
    if not case.cookie_session:
        return []
    password = next(line.split(":", 1)[1].strip() for line in banner if "password" in line)
    body = json.dumps({"username": "customer", "password": password, "email": "a@b.c", "force_sm_off": False})
    _, cookies = fetch(base + "/api/login/Basic", body.encode(), {"content-type": "application/json"})
    jar = "; ".join(c.split(";", 1)[0] for c in cookies)
    return ["-H", f"Cookie: {jar}"]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far: what a request costs, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, headers: list[str], pid: int) -> tuple[list[str], dict[str, float]]:
    argv = pinned(LOAD_CORE, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *headers, url])
    warm = pinned(LOAD_CORE, ["wrk", "-t1", "-c8", "-d1s", *headers, url])
    subprocess.run(warm, capture_output=True, check=True)
    cpu_before = cpu_s(pid)
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    cpu_used = cpu_s(pid) - cpu_before
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors against {url}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return argv, {
        "cpu_us": cpu_used / requests * 1e6,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+)(\w+)", out)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+)(\w+)", out)),
    }


def _ms(match: re.Match[str] | None) -> float:
    assert match is not None
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_case(case: Case, seconds: int, pairs: int, tls: tuple[str, str] | None) -> dict[str, object]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        body_file = f.name
    try:
        with started(pinned(SERVER_CORE, emulator_argv(case, tls))) as (_, base, banner):
            headers = login_headers(case, base, banner)
            cookie = dict([headers[1].split(": ", 1)]) if headers else {}
            body, _ = fetch(base + case.path, headers=cookie)
            Path(body_file).write_bytes(body)
        rows: list[dict[str, float]] = []
        commands: dict[str, str] = {}
        for _ in range(pairs):
            pair: dict[str, dict[str, float]] = {}
            for side, argv in (("bare", bare_argv(case, body_file, tls)), ("emulator", emulator_argv(case, tls))):
                with started(pinned(SERVER_CORE, argv)) as (proc, base, banner):
                    side_headers = login_headers(case, base, banner) if side == "emulator" else headers
                    wrk_argv, pair[side] = wrk(base + case.path, seconds, side_headers, proc.pid)
                    commands[side] = f"{shlex.join(pinned(SERVER_CORE, argv))} &  {shlex.join(wrk_argv)}"
            rows.append(
                {
                    "bare_rps": pair["bare"]["rps"],
                    "emulator_rps": pair["emulator"]["rps"],
                    "rps_ratio": pair["emulator"]["rps"] / pair["bare"]["rps"],
                    "bare_cpu_us": pair["bare"]["cpu_us"],
                    "emulator_cpu_us": pair["emulator"]["cpu_us"],
                    "cpu_ratio": pair["bare"]["cpu_us"] / pair["emulator"]["cpu_us"],
                    "p50_ratio": pair["emulator"]["p50_ms"] / pair["bare"]["p50_ms"],
                    "p99_ratio": pair["emulator"]["p99_ms"] / pair["bare"]["p99_ms"],
                    "bare_p99_ms": pair["bare"]["p99_ms"],
                    "emulator_p99_ms": pair["emulator"]["p99_ms"],
                }
            )
        result: dict[str, object] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        result["body_bytes"] = len(Path(body_file).read_bytes())
        result["commands"] = commands
        return result
    finally:
        os.unlink(body_file)


def first_answer_s(argv: list[str]) -> float:
    started_at = time.perf_counter()
    with started(argv) as (_, base, _banner):
        while True:
            try:
                fetch(base + "/api/status")
                return time.perf_counter() - started_at
            except OSError:
                time.sleep(0.002)


def startup(pairs: int) -> dict[str, object]:
    """Process start to first answer of GET /api/status: `teg-emulator serve` vs the bare app, alternating.

    One unmeasured start of each first, so both sides run from bytecode caches as installed packages do.
    """
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(b'{"x":1}')
    case = Case("startup", "1.15.0", 1, "/api/status")
    bare, emu = pinned(SERVER_CORE, bare_argv(case, f.name, None)), pinned(SERVER_CORE, emulator_argv(case, None))
    ratios, bare_s, emu_s = [], [], []
    try:
        first_answer_s(bare), first_answer_s(emu)  # warm: bytecode caches written, files in the page cache
        for _ in range(max(pairs, 5)):
            b, e = first_answer_s(bare), first_answer_s(emu)
            bare_s.append(b)
            emu_s.append(e)
            ratios.append(e / b)
    finally:
        os.unlink(f.name)
    return {
        "bare_ms": statistics.median(bare_s) * 1000,
        "emulator_ms": statistics.median(emu_s) * 1000,
        "ratio": statistics.median(ratios),
        "commands": {"bare": shlex.join(bare), "emulator": shlex.join(emu)},
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--case", action="append", help="run only cases whose name contains this")
    parser.add_argument("--no-startup", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench_throughput needs wrk: apt-get install wrk")
    if PINNED:
        print(f"server pinned to core {SERVER_CORE}, wrk to core {LOAD_CORE} (taskset)")
    else:
        print("WARNING: one core only: server and wrk share it; read the ratios, not the req/s")
    print("ratios are emulator/bare from alternating runs (median of pairs); absolute req/s vary with machine load")
    from emulator.serving.tls import self_signed  # the same certificate for both sides of the HTTPS cases

    identity = self_signed().identity
    folder = tempfile.mkdtemp(prefix="bench-tls-")  # the bare app's uvicorn loads files; removed at exit
    atexit.register(shutil.rmtree, folder, True)
    tls = (os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem"))
    Path(tls[0]).write_bytes(identity.chain_pem)
    Path(tls[1]).write_bytes(identity.key_pem)
    results: dict[str, object] = {}
    for case in CASES:
        if args.case and not any(part in case.name for part in args.case):
            continue
        r = run_case(case, args.seconds, args.pairs, tls if case.tls else None)
        results[case.name] = r
        print(
            f"{case.name:42s} body {r['body_bytes']:5d} B  bare {r['bare_rps']:7.0f}  emulator {r['emulator_rps']:7.0f}"
            f" req/s  ratio {r['rps_ratio']:.2f}  p50 ratio {r['p50_ratio']:.2f}  p99 ratio {r['p99_ratio']:.2f}"
            f"  | CPU/request bare {r['bare_cpu_us']:.0f} us, emulator {r['emulator_cpu_us']:.0f} us:"
            f" bare/emulator {r['cpu_ratio']:.2f}"
        )
        for side, command in r["commands"].items():  # type: ignore[attr-defined]
            print(f"    {side:8s} {command}")
    if not args.no_startup:
        s = startup(args.pairs)
        results["startup"] = s
        print(
            f"{'start to first answer':42s} bare {s['bare_ms']:.0f} ms  emulator {s['emulator_ms']:.0f} ms"
            f"  ratio {s['ratio']:.2f}"
        )
        for side, command in s["commands"].items():  # type: ignore[attr-defined]
            print(f"    {side:8s} {command}")
    return results


if __name__ == "__main__":
    main()
