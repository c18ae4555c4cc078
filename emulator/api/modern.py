"""Endpoints that newer firmware (20.x-24.x) added: system status, meter details, islanding, diagnostics."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from emulator.api.base import SNAPSHOT, SNAPSHOT_LIVE, Ctx, Handler
from emulator.device import commands
from emulator.device.errors import GatewayError, not_found
from emulator.http.reply import Reply


def _data() -> ModuleType:
    """The newer firmware's fixed tables, imported at the first request that reads one: a gateway of older
    firmware never loads them (a start of `serve` loads what the firmware it serves needs)."""
    from emulator.firmware import modern_data

    return modern_data


ISLAND_MODES = {"intentional_reconnect_failsafe": True, "backup": False}


async def devices_vitals(ctx: Ctx) -> Reply:
    """Protobuf device vitals where the firmware still serves them (its bodies say: 404 from 23.44);
    rendered once per sample and shared, like the JSON snapshot reads."""
    from emulator.firmware.vitals import MEDIA_TYPE  # with the renderers that use it: see _data()

    snap = ctx.gateway.snapshot()
    body = ctx.gateway.rendered("devices.vitals", snap, lambda: ctx.bodies.devices_vitals(snap))
    return Reply(200, raw=body, media_type=MEDIA_TYPE)


async def meter_cts(ctx: Ctx) -> Any:
    cts = _data().meter_cts(ctx.gateway.identity, ctx.request.path_params["serial"])
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


def fixed(name: str) -> Handler:
    """A handler that answers the fixed table ``name`` of the newer firmware's data."""

    async def handler(ctx: Ctx) -> Any:
        return getattr(_data(), name)

    return handler


def failing(name: str) -> Handler:
    """A handler that always answers the error real gateways give here (``name``: its status, error, message)."""

    async def handler(ctx: Ctx) -> Any:
        raise GatewayError(*getattr(_data(), name))

    return handler


async def ct_voltage_options(ctx: Ctx) -> Any:
    if ctx.gateway.snapshot().sitemaster_running:
        raise GatewayError(*_data().CT_OPTIONS_WHILE_RUNNING)
    return _data().CT_VOLTAGE_OPTIONS


HANDLERS: dict[str, dict[str, Handler]] = {
    "system_status": {"GET": SNAPSHOT_LIVE},
    "meters.site": {"GET": SNAPSHOT},
    "meters.solar": {"GET": SNAPSHOT},
    "meters.status": {"GET": fixed("METERS_STATUS")},
    "meters.serial.cts": {"GET": meter_cts},
    "solar_powerwall": {"GET": SNAPSHOT},
    "troubleshooting.problems": {"GET": fixed("PROBLEMS")},
    "v2.islanding.mode": {"POST": island_mode},
    "devices.vitals": {"GET": devices_vitals},
    "auth.toggle.supported": {"GET": fixed("AUTH_TOGGLE")},
    "autoconfig.status": {"GET": fixed("AUTOCONFIG")},
    "legal.radio": {"GET": fixed("LEGAL_RADIO")},
    "networks.access_points": {"GET": fixed("ACCESS_POINTS")},
    "networks.client_protocols": {"GET": fixed("CLIENT_PROTOCOLS")},
    "powerwalls.phase_usages": {"GET": failing("PHASE_USAGES_ERROR")},
    "powerwalls.pvi_sub_package_numbers": {"GET": fixed("PVI_SUB_PACKAGES")},
    "synchrometer.ct_voltage_references": {"GET": fixed("CT_VOLTAGE_REFERENCES")},
    "synchrometer.ct_voltage_references.options": {"GET": ct_voltage_options},
    "system.networks.ping_test": {"GET": fixed("PING_TEST")},
    "password.change": {"POST": password_change},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
