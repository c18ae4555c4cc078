"""Operation mode and backup reserve (API scale). Staged or immediate, as the profile says."""

from __future__ import annotations

from typing import Any

from emulator.api.base import Ctx, api_route


async def get_operation(ctx: Ctx) -> Any:
    return ctx.bodies.operation(ctx.gateway.visible_operation())


async def post_operation(ctx: Ctx) -> Any:
    body = await ctx.body("requests/operation.json")
    mode = body.get("real_mode", body.get("mode"))
    new = ctx.gateway.set_operation(mode, body.get("backup_reserve_percent"))
    return ctx.bodies.operation_posted(new, body)


ROUTES = [api_route("operation", "/api/operation", {"GET": get_operation, "POST": post_operation})]
