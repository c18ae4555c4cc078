"""Ctrl-C for a command that talks HTTP: the talking runs in a worker thread, the main thread only waits.

Python raises KeyboardInterrupt in the main thread wherever it happens to be, between any two bytecodes.
Inside httpx that can be between a lock's ``acquire()`` and the ``with`` body it guards, or at the start of
its ``__exit__``: httpcore's connection-pool lock is a Python context manager around a ``threading.Lock``,
so the lock stays held, and the clean-up's ``client.close()`` then waits on it forever. That is how
`record` outlived Ctrl-C on a loaded machine: the busier the CPU, the more of the recorder's time is spent
running httpx's Python code rather than sleeping, and about 2 interrupts in 1,000 that land mid-request
leave that lock held. A worker thread is never interrupted: it is asked to stop (an Event it checks between
requests and sleeps on between polls), and a request in flight to a gateway that stopped answering is left
to the process's exit instead of being waited for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
WAIT_S = 0.05  # how often the main thread looks up from its sleep: the delay a finished run waits to be noticed


def run_until_interrupted(work: Callable[[threading.Event], T], on_interrupt: Callable[[], T], *, grace_s: float) -> T:
    """``work(stop)`` in a worker thread, its answer (or its exception) given back here.

    Ctrl-C (KeyboardInterrupt, in this, the main thread) sets ``stop``; ``work`` then has ``grace_s``
    seconds to return what it has. Past that, ``on_interrupt()`` answers instead and the worker, a daemon
    thread, is left behind for the process's exit. A second Ctrl-C while waiting is not caught.
    """
    values: list[T] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def run() -> None:
        try:
            values.append(work(stop))
        except BaseException as exc:  # handed to the main thread, which raises it
            errors.append(exc)

    worker = threading.Thread(target=run, name="teg-emulator-worker", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            time.sleep(WAIT_S)  # a plain sleep: Ctrl-C lands here, where nothing is half done
    except KeyboardInterrupt:
        stop.set()
        worker.join(grace_s)
        if not (values or errors):
            return on_interrupt()
    if errors:
        raise errors[0]
    return values[0]
