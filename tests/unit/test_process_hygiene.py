"""A test that starts a process kills it on every path, timeouts included.

``tests/support/processes.started()`` is the one place a test starts a process it talks to: at the end of
its block the process is stopped (SIGTERM, then SIGKILL), reaped and its pipes closed, whatever happened
in the block. A run-to-completion child (``subprocess.run`` and friends) is killed by ``subprocess`` itself
when its ``timeout`` expires, so it must have one: without it a hung child hangs the test run.
"""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.processes import started, stop

TESTS = ROOT / "tests"
PROCESS_HELPER = TESTS / "support" / "processes.py"
RUN_TO_COMPLETION = {"run", "call", "check_call", "check_output"}


def offences(source: str, where: str) -> list[str]:
    """Each child process ``source`` starts outside ``started()``, and each run with no timeout."""
    found = []
    for node in ast.walk(ast.parse(source, where)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if name == "Popen":
            found.append(
                f"{where}:{node.lineno}: Popen: start it with `with started(...)` (tests/support/processes.py)"
            )
        elif (isinstance(owner, ast.Name) and owner.id == "subprocess" and name in RUN_TO_COMPLETION) or (
            name == "runpytest_subprocess"  # pytester's child pytest
        ):
            if not any(keyword.arg == "timeout" for keyword in node.keywords):
                found.append(f"{where}:{node.lineno}: {name} without timeout=: a hung child hangs the run")
    return found


def test_every_child_process_is_started_by_the_helper_or_has_a_timeout() -> None:
    found = [
        offence
        for path in sorted(TESTS.rglob("*.py"))
        if path != PROCESS_HELPER
        for offence in offences(path.read_text("utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "\n".join(found)


def test_the_check_finds_an_unguarded_start_and_a_run_without_a_timeout() -> None:
    source = (
        "import subprocess\n"
        "from subprocess import Popen\n"
        "subprocess.Popen(['true'])\n"
        "Popen(['true'])\n"
        "subprocess.run(['true'])\n"
        "subprocess.check_output(['true'], text=True)\n"
        "subprocess.run(['true'], timeout=5)\n"
        "pytester.runpytest_subprocess('-q')\n"
    )
    assert [offence.split(": ")[0] for offence in offences(source, "sample.py")] == [
        "sample.py:3",
        "sample.py:4",
        "sample.py:5",
        "sample.py:6",
        "sample.py:8",
    ]


IGNORES_SIGTERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
PARENT = (
    "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    f" child = subprocess.Popen([sys.executable, '-c', {IGNORES_SIGTERM!r}]); print(child.pid, flush=True);"
    " time.sleep(600)"
)


def test_a_process_that_will_not_stop_is_killed_with_the_processes_it_started() -> None:
    """What ``started()`` does when a test times out: SIGTERM, then SIGKILL to the whole process group."""
    with started([sys.executable, "-c", PARENT]) as proc:
        assert proc.stdout is not None
        child = int(proc.stdout.readline())
        with pytest.raises(subprocess.TimeoutExpired):
            stop(proc, timeout=0.5)
        assert proc.returncode == -signal.SIGKILL
    assert _gone(child)


def _gone(pid: int) -> bool:
    """No such process, or only its exit status left for its new parent to collect."""
    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)  # SIGKILL is delivered asynchronously
    return False
