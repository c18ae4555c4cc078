"""Operation mode and backup reserve (API scale). Staged or immediate, as the profile says."""

from __future__ import annotations

from typing import Any

from emulator.api.base import Ctx, Handler
from emulator.device import commands


async def get_operation(ctx: Ctx) -> Any:
    return ctx.bodies.operation(commands.visible_operation(ctx.gateway))


async def post_operation(ctx: Ctx) -> Any:
    body = await ctx.body("requests/operation.json")
    mode = body.get("real_mode", body.get("mode"))
    new = commands.set_operation(ctx.gateway, mode, body.get("backup_reserve_percent"))
    return ctx.bodies.operation_posted(new, body)


HANDLERS: dict[str, dict[str, Handler]] = {
    "operation": {"GET": get_operation, "POST": post_operation},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
