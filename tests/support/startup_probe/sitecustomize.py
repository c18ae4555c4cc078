"""Loaded by Python at start-up when this folder is on PYTHONPATH (tests/support/serve_imports.py puts it there
for the process it measures): on SIGUSR1, write the names in ``sys.modules`` to ``$TEG_IMPORTS_OUT``.
It imports only what every interpreter has loaded by then."""

import os
import signal
import sys
from types import FrameType


def _dump(signum: int, frame: FrameType | None) -> None:
    with open(os.environ["TEG_IMPORTS_OUT"], "w", encoding="utf-8") as out:
        out.write("\n".join(sorted(sys.modules)) + "\n")


signal.signal(signal.SIGUSR1, _dump)
