"""The device itself: sitemaster, status, configuration commits, Powerwalls, updates."""

from __future__ import annotations

from typing import Any

from emulator.api.base import SNAPSHOT, Ctx, Handler
from emulator.device import commands
from emulator.http.reply import Reply


async def sitemaster_stop(ctx: Ctx) -> Any:
    if ctx.request.method == "POST" and await ctx.request.body():  # newer clients send {"force": true}
        await ctx.body("requests/sitemaster.stop.json")
    commands.stop_sitemaster(ctx.gateway)
    return Reply(202, empty=True)


async def sitemaster_run(ctx: Ctx) -> Any:
    commands.run_sitemaster(ctx.gateway)
    return Reply(202, empty=True)


async def config_completed(ctx: Ctx) -> Any:
    commands.commit_config(ctx.gateway)
    body = ctx.bodies.config_completed(ctx.gateway.snapshot())
    return Reply(202, empty=True) if body is None else body


HANDLERS: dict[str, dict[str, Handler]] = {
    "sitemaster": {"GET": SNAPSHOT},
    "sitemaster.stop": {"GET": sitemaster_stop, "POST": sitemaster_stop},
    "sitemaster.run": {"GET": sitemaster_run},
    "sitemaster.run_for_commissioning": {"POST": sitemaster_run},
    "status": {"GET": SNAPSHOT},
    "config.completed": {"GET": config_completed},
    "config": {"GET": SNAPSHOT},
    "powerwalls": {"GET": SNAPSHOT},
    "powerwalls.status": {"GET": SNAPSHOT},
    "system.update.status": {"GET": SNAPSHOT},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
