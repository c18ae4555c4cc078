"""Live data: meters and system status. Each answers 502 with an empty body while sitemaster is stopped."""

from __future__ import annotations

from emulator.api.base import SNAPSHOT, SNAPSHOT_LIVE, Handler

HANDLERS: dict[str, dict[str, Handler]] = {
    "meters.aggregates": {"GET": SNAPSHOT_LIVE},
    "system_status.soe": {"GET": SNAPSHOT_LIVE},
    "system_status.grid_status": {"GET": SNAPSHOT_LIVE},
    "system_status.grid_faults": {"GET": SNAPSHOT_LIVE},
    "meters.readings": {"GET": SNAPSHOT},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
