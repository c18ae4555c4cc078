"""Child processes the tests start (the CLI, a client's driver): always stopped, reaped and their pipes closed.

A ``Popen`` whose pipes are left open is closed by the garbage collector instead, later, inside whichever
test runs then, as a ResourceWarning ("unclosed file <_io.TextIOWrapper ...>"). ``with started(...)``
closes them at the end of the block, in the test that opened them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STOP_TIMEOUT_S = 10.0


@contextmanager
def started(argv: list[str], **popen: Any) -> Iterator[subprocess.Popen[str]]:
    """``argv`` running with text pipes (stdout piped unless told); at exit stopped, reaped, pipes closed."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("start_new_session", True)  # its own process group: a kill reaches what it started too
    with subprocess.Popen(argv, text=True, **popen) as proc:  # its __exit__ closes the pipes and reaps it
        try:
            yield proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[str], timeout: float = STOP_TIMEOUT_S) -> int:
    """SIGTERM (a server's graceful stop) and its exit code.

    A process still running ``timeout`` seconds later is killed, with its process group when it leads one
    (``started()`` makes it), and the TimeoutExpired raised: a server that ignores SIGTERM is a failure,
    and the killing keeps it and its own children (a supervisor's workers) from outliving the test.
    """
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.wait()
        raise


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        leads_a_group = os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:
        return
    if leads_a_group:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()


def found(pattern: str, text: str) -> str:
    """The first match of ``pattern`` in ``text`` (a URL on a banner line), or a failure that shows the text."""
    match = re.search(pattern, text)
    assert match is not None, f"no {pattern!r} in {text!r}"
    return match.group(0)


def printed(proc: subprocess.Popen[str], pattern: str) -> str | None:
    """The first group of the first stdout line matching ``pattern`` (a URL, a listing), or None at end of output."""
    assert proc.stdout is not None
    return next((match.group(1) for line in proc.stdout if (match := re.search(pattern, line))), None)
