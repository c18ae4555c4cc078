"""What the benchmarks share: cores, starting servers as users do, wrk, CPU time from /proc."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the venv's console scripts: teg-emulator, uvicorn
CONNECTIONS = 32
SERVER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONUNBUFFERED": "1"}
"""Servers may write bytecode caches, as every installed package has them: start-up compares imports, not compiles."""


def cores() -> tuple[str, str, bool]:
    """(server core, load core, pinned?): different cores when there are two."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) >= 2 and shutil.which("taskset"):
        return str(available[0]), str(available[1]), True
    return str(available[0]), str(available[0]), False


SERVER_CORE, LOAD_CORE, PINNED = cores()


def pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if shutil.which("taskset") else argv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[bytes, list[str]]:
    """(body, set-cookie headers) of one request; urllib's errors as they come."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5, context=_INSECURE) as response:
        return response.read(), response.headers.get_all("set-cookie") or []


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 30.0) -> None:
    """Poll ``url`` until it answers (any status): the server is up."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            fetch(url)
            return
        except urllib.error.HTTPError as exc:
            exc.close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"{shlex.join(map(str, proc.args))} did not answer {url}") from None  # type: ignore[arg-type]
            time.sleep(0.002)


@contextmanager
def started(argv: list[str], env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A server process (its output to a file shown if it fails); stopped at the end."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env or SERVER_ENV)
        try:
            yield proc
        except Exception:
            log.seek(0)
            print(log.read().decode(errors="replace")[-2000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait()


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far: what a request costs, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def lua_string(data: bytes) -> str:
    """``data`` as a Lua string literal (any bytes: the TEDAPI's protobuf)."""
    return '"' + "".join(f"\\{b}" for b in data) + '"'


def wrk(url: str, seconds: int, headers: dict[str, str], pid: int, *, body: bytes = b"") -> dict[str, Any]:
    """One wrk run against ``url`` (after a 1 s warm-up): req/s, p50, p99, the server's CPU per request, the command.

    A GET carries ``headers`` as -H flags (the printed command is the whole of it); a ``body`` is POSTed by a
    Lua script, written next to the printed command's ``-s`` so it can be run again.
    """
    options = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    if body:
        script = 'wrk.method = "POST"\n' + f"wrk.body = {lua_string(body)}\n"
        path = Path(tempfile.gettempdir()) / f"bench-post-{len(body)}.lua"
        path.write_text(script)
        options += ["-s", str(path)]
    warm = pinned(LOAD_CORE, ["wrk", "-t1", "-c8", "-d1s", *options, url])
    subprocess.run(warm, capture_output=True, check=True)
    argv = pinned(LOAD_CORE, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *options, url])
    cpu_before = cpu_s(pid)
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    cpu_used = cpu_s(pid) - cpu_before
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out) or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors against {url}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {
        "cpu_us": cpu_used / requests * 1e6,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+)(\w+)", out)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+)(\w+)", out)),
        "command": shlex.join(argv),
    }


def _ms(match: re.Match[str] | None) -> float:
    assert match is not None
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
