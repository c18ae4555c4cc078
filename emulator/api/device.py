"""The device itself: sitemaster, status, configuration commits, Powerwalls, updates."""

from __future__ import annotations

from typing import Any

from emulator.api.base import Ctx, api_route, snapshot_read
from emulator.http.reply import Reply


async def sitemaster_stop(ctx: Ctx) -> Any:
    if ctx.request.method == "POST" and await ctx.request.body():  # newer clients send {"force": true}
        await ctx.body("requests/sitemaster.stop.json")
    ctx.gateway.stop_sitemaster()
    return Reply(202, empty=True)


async def sitemaster_run(ctx: Ctx) -> Any:
    ctx.gateway.run_sitemaster()
    return Reply(202, empty=True)


async def config_completed(ctx: Ctx) -> Any:
    ctx.gateway.commit_config()
    body = ctx.bodies.config_completed(ctx.gateway.snapshot())
    return Reply(202, empty=True) if body is None else body


ROUTES = [
    api_route("sitemaster", "/api/sitemaster", {"GET": snapshot_read("sitemaster")}),
    api_route("sitemaster.stop", "/api/sitemaster/stop", {"GET": sitemaster_stop, "POST": sitemaster_stop}),
    api_route("sitemaster.run", "/api/sitemaster/run", {"GET": sitemaster_run}),
    api_route("sitemaster.run_for_commissioning", "/api/sitemaster/run_for_commissioning", {"POST": sitemaster_run}),
    api_route("status", "/api/status", {"GET": snapshot_read("status")}),
    api_route("config.completed", "/api/config/completed", {"GET": config_completed}),
    api_route("config", "/api/config", {"GET": snapshot_read("config")}),
    api_route("powerwalls", "/api/powerwalls", {"GET": snapshot_read("powerwalls")}),
    api_route("powerwalls.status", "/api/powerwalls/status", {"GET": snapshot_read("powerwalls.status")}),
    api_route("system.update.status", "/api/system/update/status", {"GET": snapshot_read("system.update.status")}),
]
