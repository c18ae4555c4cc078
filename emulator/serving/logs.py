"""uvicorn's error log, minus what is the emulator working as asked: a cut request, a stop that cuts held ones.

A latency or slow-body fault can hold a request for minutes; a stop (SIGTERM, the fixture's end) cancels
it after a short grace. uvicorn reports each cancelled request as an application error and the cut as
"ERROR: Cancel N running task(s), timeout graceful shutdown exceeded". Neither is an error here: the
first is dropped, the second said once at info level in the emulator's own words. Every other uvicorn
error (a real bug, an "ASGI callable returned without starting response") still shows.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("teg_emulator")
_GRACE_EXCEEDED = "Cancel %s running task(s), timeout graceful shutdown exceeded"


class _PlannedStopIsNotAnError(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            return False  # a request cut off by a stop (e.g. mid latency fault)
        if record.msg == _GRACE_EXCEEDED:
            count = record.args[0] if isinstance(record.args, tuple) and record.args else "the"
            log.info("stopping: cut %s request(s) still held (a latency or slow-body fault holds them)", count)
            return False
        return True


_FILTER = _PlannedStopIsNotAnError()


def quiet_uvicorn_logs() -> None:
    """Install the filter on uvicorn's error logger (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
