"""`serve --workers K`: K shard processes on one machine, supervised and stopped together."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.support.paths import ROOT
from tests.support.processes import started, stop

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


class Supervised:
    """The supervisor's output, read in the background so the test can wait for the line it needs.

    A context manager: at exit the supervisor is stopped (if the test has not), the reader has seen the end of
    its output and the pipe is closed.
    """

    def __init__(self, *args: str) -> None:
        self.command = [sys.executable, "-m", "emulator.cli", "serve", "--firmware", "1.15.0", *args]
        self.lines: queue.Queue[str] = queue.Queue()
        self._stack = ExitStack()

    def __enter__(self) -> Supervised:
        with ExitStack() as stack:  # a failure before the end of __enter__ stops what it started
            stack.enter_context(self._stack)
            self.proc = self._stack.enter_context(started(self.command, stderr=subprocess.STDOUT, env=ENV))
            reader = threading.Thread(target=self._read, daemon=True)
            reader.start()
            self._stack.callback(self._stop_then_read_to_the_end, reader)  # runs before started()'s exit
            stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _stop_then_read_to_the_end(self, reader: threading.Thread) -> None:
        try:
            stop(self.proc)
        finally:
            reader.join(timeout=10)  # the end of output: the supervisor and its workers have exited

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, count: int = 1) -> list[re.Match[str]]:
        found: list[re.Match[str]] = []
        while len(found) < count:
            line = self.lines.get(timeout=120)  # a loaded machine can take long to start a Python process
            if match := re.search(pattern, line):
                found.append(match)
        return found


def listing(url: str) -> list[dict[str, str]]:
    return httpx.get(url).json()["gateways"]


def grid_up(member: dict[str, str]) -> bool:
    host = member["url"].split("//")[1].rsplit(":", 1)[0]
    url = member["url"].replace(host, "127.0.0.1") + "/_emulator/state"
    return bool(httpx.get(url, headers={"Host": host}).json()["grid"]["utility_up"])


def test_workers_serve_the_fleet_restart_a_dead_one_from_its_seeds_and_stop_together():
    with Supervised("--gateways", "4", "--workers", "2", "--fleet-mode", "host", "--port", "0") as fleet:
        try:
            pids = {m.group(1): int(m.group(2)) for m in fleet.wait_for(r"worker (\d)/2 .*started, pid (\d+)", 2)}
            urls = [m.group(1) for m in fleet.wait_for(r"list: (\S+)", 2)]
            members = sorted((m for url in urls for m in listing(url)), key=lambda m: m["index"])
            assert [m["serial"] for m in members] == [f"T123456789{i:03d}" for i in range(1, 5)]

            first = members[0]  # index 1 falls to worker 0 (a contiguous block)
            host = first["url"].split("//")[1].rsplit(":", 1)[0]
            changed = httpx.post(
                first["url"].replace(host, "127.0.0.1") + "/_emulator/grid",
                json={"connected": False},
                headers={"Host": host},
            )
            assert changed.status_code == 200 and not grid_up(first)

            os.kill(pids["0"], signal.SIGKILL)
            said = fleet.wait_for(r"worker 0/2 \(gateways 1-2\) (.*)")[0].group(1)
            assert "killed by signal 9" in said and "start again from their seeds" in said
            new_pid = int(fleet.wait_for(r"worker 0/2 .*started, pid (\d+)")[0].group(1))
            back = listing(fleet.wait_for(r"list: (\S+)")[0].group(1))
            assert [m["serial"] for m in back] == [m["serial"] for m in members[:2]]
            assert [m["password"] for m in back] == [m["password"] for m in members[:2]]
            assert grid_up(back[0])  # from its seed again: the outage set before the crash is gone
            os.kill(pids["1"], signal.SIGSTOP)  # a worker that cannot answer SIGTERM: the supervisor must SIGKILL it
        finally:
            fleet.proc.send_signal(signal.SIGTERM)
            code = fleet.proc.wait(timeout=10)
    assert code == 0
    for pid in (new_pid, pids["1"]):
        assert not Path(f"/proc/{pid}").exists()  # reaped by the supervisor before it exited


def test_workers_stop_the_fleet_when_a_worker_cannot_start():
    with socket.create_server(("127.0.0.1", 0)) as taken:  # worker 0 wants this port (host mode: --port + k)
        port = str(taken.getsockname()[1])
        with Supervised("--gateways", "2", "--workers", "2", "--fleet-mode", "host", "--port", port) as fleet:
            said = fleet.wait_for(r"worker \d/2 .*could not start.*")[0].group(0)  # worker 0 (or 1: port + 1 taken)
            assert fleet.proc.wait(timeout=30) == 2
    assert "stopping the fleet" in said
