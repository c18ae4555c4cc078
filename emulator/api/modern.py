"""Endpoints that newer firmware (20.x-24.x) added: system status, meter details, islanding, diagnostics."""

from __future__ import annotations

from typing import Any

from emulator.api.base import SNAPSHOT, SNAPSHOT_LIVE, Ctx, Handler
from emulator.device import commands
from emulator.device.errors import GatewayError, not_found
from emulator.firmware import modern_data, vitals
from emulator.http.reply import Reply

ISLAND_MODES = {"intentional_reconnect_failsafe": True, "backup": False}


async def devices_vitals(ctx: Ctx) -> Reply:
    """Protobuf device vitals where the firmware still serves them (its bodies say: 404 from 23.44);
    rendered once per sample and shared, like the JSON snapshot reads."""
    snap = ctx.gateway.snapshot()
    body = ctx.gateway.rendered("devices.vitals", snap, lambda: ctx.bodies.devices_vitals(snap))
    return Reply(200, raw=body, media_type=vitals.MEDIA_TYPE)


async def meter_cts(ctx: Ctx) -> Any:
    cts = modern_data.meter_cts(ctx.gateway.identity, ctx.request.path_params["serial"])
    if cts is None:
        raise not_found("meter with serial", ctx.request.path_params["serial"])
    return cts


async def island_mode(ctx: Ctx) -> Any:
    """Go off grid ("intentional_reconnect_failsafe") or back ("backup"); the body is echoed."""
    body = await ctx.body("requests/v2.islanding.mode.json")
    commands.request_island(ctx.gateway, ISLAND_MODES[body["island_mode"]])
    return {"island_mode": body["island_mode"]}


async def password_change(ctx: Ctx) -> Any:
    body = await ctx.body("requests/password.change.json")
    commands.change_password(ctx.gateway, body["old_password"], body["new_password"])
    return {"password": body["new_password"]}


def fixed(value: Any) -> Handler:
    """A handler that answers a fixed table."""

    async def handler(ctx: Ctx) -> Any:
        return value

    return handler


def failing(status: int, error: str, message: str) -> Handler:
    """A handler that always answers the error real gateways give here."""

    async def handler(ctx: Ctx) -> Any:
        raise GatewayError(status, error, message)

    return handler


async def ct_voltage_options(ctx: Ctx) -> Any:
    if ctx.gateway.snapshot().sitemaster_running:
        raise GatewayError(*modern_data.CT_OPTIONS_WHILE_RUNNING)
    return modern_data.CT_VOLTAGE_OPTIONS


HANDLERS: dict[str, dict[str, Handler]] = {
    "system_status": {"GET": SNAPSHOT_LIVE},
    "meters.site": {"GET": SNAPSHOT},
    "meters.solar": {"GET": SNAPSHOT},
    "meters.status": {"GET": fixed(modern_data.METERS_STATUS)},
    "meters.serial.cts": {"GET": meter_cts},
    "solar_powerwall": {"GET": SNAPSHOT},
    "troubleshooting.problems": {"GET": fixed(modern_data.PROBLEMS)},
    "v2.islanding.mode": {"POST": island_mode},
    "devices.vitals": {"GET": devices_vitals},
    "auth.toggle.supported": {"GET": fixed(modern_data.AUTH_TOGGLE)},
    "autoconfig.status": {"GET": fixed(modern_data.AUTOCONFIG)},
    "legal.radio": {"GET": fixed(modern_data.LEGAL_RADIO)},
    "networks.access_points": {"GET": fixed(modern_data.ACCESS_POINTS)},
    "networks.client_protocols": {"GET": fixed(modern_data.CLIENT_PROTOCOLS)},
    "powerwalls.phase_usages": {"GET": failing(*modern_data.PHASE_USAGES_ERROR)},
    "powerwalls.pvi_sub_package_numbers": {"GET": fixed(modern_data.PVI_SUB_PACKAGES)},
    "synchrometer.ct_voltage_references": {"GET": fixed(modern_data.CT_VOLTAGE_REFERENCES)},
    "synchrometer.ct_voltage_references.options": {"GET": ct_voltage_options},
    "system.networks.ping_test": {"GET": fixed(modern_data.PING_TEST)},
    "password.change": {"POST": password_change},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
