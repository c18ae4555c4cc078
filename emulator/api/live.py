"""Live data: meters and system status. Each answers 502 with an empty body while sitemaster is stopped."""

from __future__ import annotations

from emulator.api.base import api_route, snapshot_read

ROUTES = [
    api_route("meters.aggregates", "/api/meters/aggregates", {"GET": snapshot_read("meters.aggregates", live=True)}),
    api_route("system_status.soe", "/api/system_status/soe", {"GET": snapshot_read("system_status.soe", live=True)}),
    api_route(
        "system_status.grid_status",
        "/api/system_status/grid_status",
        {"GET": snapshot_read("system_status.grid_status", live=True)},
    ),
    api_route(
        "system_status.grid_faults",
        "/api/system_status/grid_faults",
        {"GET": snapshot_read("system_status.grid_faults", live=True)},
    ),
    api_route("meters.readings", "/api/meters/readings", {"GET": snapshot_read("meters.readings")}),
]
