"""Site information, the site name and the grid codes the wizard offers."""

from __future__ import annotations

from typing import Any

from emulator.api.base import SNAPSHOT, Ctx, Handler
from emulator.device import commands
from emulator.firmware import wizard_data


async def post_site_name(ctx: Ctx) -> Any:
    body = await ctx.body("requests/site_info.site_name.json")
    commands.set_site_name(ctx.gateway, body["site_name"])
    return ctx.bodies.site_name(ctx.gateway.snapshot())


async def grid_codes(ctx: Ctx) -> Any:
    return wizard_data.GRID_CODES


HANDLERS: dict[str, dict[str, Handler]] = {
    "site_info": {"GET": SNAPSHOT},
    "site_info.site_name": {"GET": SNAPSHOT, "POST": post_site_name},
    "site_info.grid_codes": {"GET": grid_codes},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
