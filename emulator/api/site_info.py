"""Site information, the site name and the grid codes the wizard offers."""

from __future__ import annotations

from typing import Any

from emulator.api.base import Ctx, api_route, snapshot_read
from emulator.firmware import wizard_data


async def post_site_name(ctx: Ctx) -> Any:
    body = await ctx.body("requests/site_info.site_name.json")
    ctx.gateway.set_site_name(body["site_name"])
    return ctx.bodies.site_name(ctx.gateway.snapshot())


async def grid_codes(ctx: Ctx) -> Any:
    return wizard_data.GRID_CODES


ROUTES = [
    api_route("site_info", "/api/site_info", {"GET": snapshot_read("site_info")}),
    api_route(
        "site_info.site_name",
        "/api/site_info/site_name",
        {"GET": snapshot_read("site_info.site_name"), "POST": post_site_name},
    ),
    api_route("site_info.grid_codes", "/api/site_info/grid_codes", {"GET": grid_codes}),
]
