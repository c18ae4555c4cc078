"""What the gateway tells its operator: one logger, one line per thing that happened to the device.

INFO says what changed (grid, sitemaster, logins, scenario events, fired faults), with the sim
time it happened at; DEBUG adds each request's route and latency. Secrets never reach a line:
callers pass names and labels, never a password, token or cookie (tests/e2e/test_logging.py checks).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

log = logging.getLogger("teg_emulator")


def sim(t: float) -> str:
    """A sim instant as a log reads it: ``2026-07-01T13:00:05Z``."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
