"""`serve --workers K`: one shard process per core on one machine, supervised.

Why processes, not threads: a gateway's work is Python (the model, rendering), so one
process uses one core; K shard processes use K. They share nothing (see shards.py), so
the supervisor only starts them, restarts one that dies (its gateways come back from
their seeds, as after any restart) and stops them all on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

from emulator.serving.limits import MAX_GATEWAYS
from emulator.serving.shards import Shard

STOP_GRACE_S = 1.5  # SIGTERM, then SIGKILL: the whole fleet is gone within 2 s
REFUSED = 2  # the CLI's exit code for a refusal (a bad flag, a taken port): restarting cannot help
CRASH_LOOP_S = 5.0  # a worker that dies this soon after its start waits a second before the next try


def default_workers() -> int:
    """One per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Worker:
    shard: Shard
    members: range
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = field(default=0)

    @property
    def label(self) -> str:
        return f"worker {self.shard} (gateways {self.members.start}-{self.members.stop - 1})"


def plan(argv: Sequence[str], gateways: int, workers: int, mode: str, port: int) -> list[Worker]:
    """The K shard commands: the user's own flags, then this shard and its port (later flags win).

    Ports mode keeps the one-process fleet's ports (member i on ``port + i - 1``); host mode gives
    shard k ``port + k``. Port 0 lets every worker pick free ports (each prints its own).
    """
    if not 1 <= workers <= gateways:
        raise ValueError(f"--workers must be between 1 and the number of gateways ({gateways})")
    result = []
    for k in range(workers):
        shard = Shard(k, workers)
        members = shard.members(gateways)
        if len(members) > MAX_GATEWAYS:
            raise ValueError(f"{len(members)} gateways per worker is over {MAX_GATEWAYS}: use more --workers")
        worker_port = 0 if port == 0 else (port + members.start - 1 if mode == "ports" else port + k)
        if worker_port > 65535:
            raise ValueError(f"worker {shard} would need port {worker_port}: choose a lower --port")
        command = [sys.executable, "-m", "emulator.cli", *argv, "--shard", str(shard), "--port", str(worker_port)]
        result.append(Worker(shard, members, [*command, "--no-workers"]))
    return result


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM if the supervisor is killed outright, so no orphan keeps a port."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Supervisor:
    """Starts the workers, restarts the dead ones, stops all of them on SIGTERM/SIGINT."""

    def __init__(self, workers: list[Worker], log: Callable[[str], None]) -> None:
        self.workers, self.log = workers, log
        self.stopping = False

    def _start(self, worker: Worker) -> None:
        worker.process = subprocess.Popen(worker.argv, preexec_fn=_die_with_parent)
        worker.started = time.monotonic()
        self.log(f"teg-emulator: {worker.label} started, pid {worker.process.pid}")

    def _stop_request(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        """Supervise until a stop signal; 2 when a worker cannot start at all (a bad flag, a taken port)."""
        signal.signal(signal.SIGTERM, self._stop_request)
        signal.signal(signal.SIGINT, self._stop_request)
        for worker in self.workers:
            self._start(worker)
        code = 0
        while not self.stopping:
            time.sleep(0.1)
            for worker in self.workers:
                assert worker.process is not None
                status = worker.process.poll()
                if status is None or self.stopping:
                    continue
                if status == REFUSED:
                    self.log(f"teg-emulator: error: {worker.label} could not start (exit 2); stopping the fleet")
                    self.stopping, code = True, REFUSED
                    break
                if time.monotonic() - worker.started < CRASH_LOOP_S:
                    time.sleep(1.0)  # a crash loop must not eat the machine; the other workers keep serving
                worker.restarts += 1
                how = f"was killed by signal {-status}" if status < 0 else f"exited with code {status}"
                self.log(
                    f"teg-emulator: {worker.label} {how}; restarting it "
                    f"(restart {worker.restarts}): its gateways start again from their seeds"
                )
                self._start(worker)
        self.stop()
        return code

    def stop(self) -> None:
        """SIGTERM to every worker, SIGKILL to any still there after the grace period."""
        live = [w.process for w in self.workers if w.process is not None and w.process.poll() is None]
        for process in live:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in live:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
