"""What `teg-emulator serve` has imported by its first answer, against the committed list (tests/e2e/serve_imports.txt).

The console script runs as a user runs it, with ``tests/support/startup_probe`` on its PYTHONPATH: Python
loads that folder's ``sitecustomize`` at start-up, which writes the names in ``sys.modules`` to a file
when sent SIGUSR1. The probe waits for the start banner, asks ``GET /api/status`` (the first answer),
then sends the signal. A bare interpreter started the same way is measured too and subtracted, so what
the environment loads at start-up (site, .pth files) does not count.

Listed: each ``emulator`` module by its full name, everything else by its top-level package (``yaml``,
``jsonschema``, ``ssl``), leaving out private ``_`` modules, which are implementation details of those.

    python -m tests.support.serve_imports          # print the differences
    python -m tests.support.serve_imports --write  # rewrite the list from this checkout (review the diff)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.paths import ROOT
from tests.support.processes import started

LIST = ROOT / "tests" / "e2e" / "serve_imports.txt"
PROBE = Path(__file__).with_name("startup_probe")
SERVE = [str(Path(sys.executable).with_name("teg-emulator")), "serve", "--port", "0"]
BARE = [sys.executable, "-c", "import sys; print('ready', flush=True); sys.stdin.read()"]  # waits for end of input
WAIT_S = 60.0
HEADER = """\
# The modules `teg-emulator serve` has imported by its first answer (tests/e2e/test_serve_imports.py).
# Each import here is start-up time every user pays. A change that adds one must say why in review;
# to take a change in, run `python -m tests.support.serve_imports --write` and commit the diff.
"""


def measure() -> set[str]:
    """The listed form of what serve imported by its first answer, less what a bare interpreter imports.

    Measured on the second start: the first after a checkout or an install writes the caches every later
    start reads (emulator.contract.cache: the checked facts and the parsed contract; emulator.cli.startup),
    and imports yaml and jsonschema to do it, as it compiles bytecode. Every start after it is the one pinned.
    Both starts run with bytecode allowed (PYTHONDONTWRITEBYTECODE dropped, as bench/ drops it): a user's
    serve writes its caches; a test runner's setting must not change what is measured.
    """
    _modules(SERVE, first_answer=True)  # writes the caches, if this checkout has none yet
    return _listed(_modules(SERVE, first_answer=True) - _modules(BARE))


def committed() -> set[str]:
    return {line.strip() for line in LIST.read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")}


def write(modules: set[str]) -> None:
    LIST.write_text(HEADER + "".join(f"{name}\n" for name in sorted(modules)), "utf-8")


def _listed(modules: set[str]) -> set[str]:
    names = set()
    for name in modules:
        top = name.split(".")[0]
        if top == "emulator":
            names.add(name)
        elif not top.startswith("_") and top != "sitecustomize":
            names.add(top)
    return names


def _modules(argv: list[str], *, first_answer: bool = False) -> set[str]:
    with tempfile.TemporaryDirectory(prefix="teg-imports-") as folder:
        out = Path(folder) / "modules.txt"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONPATH": str(PROBE), "TEG_IMPORTS_OUT": str(out)}
        with started(argv, env=env, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
            if first_answer:
                _ask_first(proc)
            else:
                assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
            proc.send_signal(signal.SIGUSR1)  # the probe's handler is in place: the process has run Python since
            deadline = time.monotonic() + WAIT_S
            while not (out.exists() and out.read_text("utf-8").endswith("\n")) and time.monotonic() < deadline:
                time.sleep(0.02)
        return set(out.read_text("utf-8").split())


def _ask_first(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if match := re.search(r"listening on (https?://\S+)", line):
            url = match.group(1).rstrip("/")
            break
    else:
        raise AssertionError("serve exited before its banner")
    with httpx.Client(verify=False, timeout=WAIT_S) as client:
        assert client.get(url + "/api/status").status_code == 200


def main(argv: list[str]) -> int:
    now = measure()
    if "--write" in argv:
        write(now)
        print(f"wrote {len(now)} names to {LIST.relative_to(ROOT)}")
        return 0
    listed = committed()
    for name in sorted(now - listed):
        print(f"+ {name}")
    for name in sorted(listed - now):
        print(f"- {name}")
    return 1 if now != listed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
