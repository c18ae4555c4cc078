"""Live data: meters and system status. Each answers 502 with an empty body while sitemaster is stopped."""

from __future__ import annotations

from typing import Any

from emulator.api.base import Ctx, api_route, snapshot_body


async def aggregates(ctx: Ctx) -> Any:
    snap = ctx.gateway.live_snapshot()
    return ctx.shared("meters.aggregates", snap, lambda: ctx.bodies.aggregates(ctx.gateway, snap))


async def soe(ctx: Ctx) -> Any:
    snap = ctx.gateway.live_snapshot()
    return ctx.shared("system_status.soe", snap, lambda: ctx.bodies.soe(ctx.gateway, snap))


async def grid_status(ctx: Ctx) -> Any:
    snap = ctx.gateway.live_snapshot()
    return ctx.shared("system_status.grid_status", snap, lambda: ctx.bodies.grid_status(ctx.gateway, snap))


async def grid_faults(ctx: Ctx) -> Any:
    return ctx.bodies.grid_faults(ctx.gateway, ctx.gateway.live_snapshot())


ROUTES = [
    api_route("meters.aggregates", "/api/meters/aggregates", {"GET": aggregates}),
    api_route("system_status.soe", "/api/system_status/soe", {"GET": soe}),
    api_route("system_status.grid_status", "/api/system_status/grid_status", {"GET": grid_status}),
    api_route("system_status.grid_faults", "/api/system_status/grid_faults", {"GET": grid_faults}),
    api_route("meters.readings", "/api/meters/readings", {"GET": snapshot_body("meter_readings_raw")}),
]
