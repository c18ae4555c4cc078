"""The commissioning wizard's endpoints: solar, generators, customer, installer, networks, meters, tests."""

from __future__ import annotations

from typing import Any

from emulator.api.base import SNAPSHOT, Ctx, Handler
from emulator.device import commands
from emulator.device.errors import error, not_found
from emulator.firmware import wizard_data
from emulator.http.reply import Reply


async def solar_brands(ctx: Ctx) -> Any:
    return wizard_data.SOLAR_BRANDS


async def solar_brand_models(ctx: Ctx) -> Any:
    brand = ctx.request.path_params["brand"]
    models = wizard_data.SOLAR_MODELS.get(brand)
    if models is None:
        raise not_found("solar brand", brand)
    return models


async def disconnect_types(ctx: Ctx) -> Any:
    return wizard_data.GENERATOR_DISCONNECT_TYPES


async def registration_skip(ctx: Ctx) -> Any:
    commands.update_registration(ctx.gateway, skipped_registration=True)
    return ctx.bodies.registration(ctx.gateway.snapshot())


async def registration_emailed(ctx: Ctx) -> Any:
    commands.update_registration(ctx.gateway, emailed_registration=True)
    return ctx.bodies.registration(ctx.gateway.snapshot())


async def registration_legal(ctx: Ctx) -> Any:
    return await ctx.body("requests/customer.registration.legal.json")


async def installer_companies(ctx: Ctx) -> Any:
    return wizard_data.INSTALLER_COMPANIES


async def meter_verify(ctx: Ctx) -> Any:
    body = await ctx.body("requests/meters.serial.verify.json")
    serial = ctx.request.path_params["serial"]
    known = ctx.gateway.identity.meter_serial
    if serial.strip() != known:
        raise not_found("meter with serial", serial)
    if body["serial"].strip() != known:
        raise error("meter_mismatch")
    return {"serial": known, "short_id": body["short_id"], "verified": True}


async def networks(ctx: Ctx) -> Any:
    if ctx.request.method == "POST":
        await ctx.body("requests/networks.json")
        return Reply(202, empty=True)
    return ctx.bodies.networks(ctx.gateway.snapshot())


async def wifi_security_types(ctx: Ctx) -> Any:
    return wizard_data.WIFI_SECURITY_TYPES


async def wifi_scan(ctx: Ctx) -> Any:
    return wizard_data.ACCESS_POINTS


def _network_id(ctx: Ctx) -> str:
    raw = ctx.request.path_params["id"]
    if raw not in ctx.bodies.network_ids():
        raise not_found("network interface with id", raw)
    return str(raw)


async def network_enable(ctx: Ctx) -> Any:
    commands.set_network_enabled(ctx.gateway, _network_id(ctx), True)
    return Reply(202, empty=True)


async def network_disable(ctx: Ctx) -> Any:
    commands.set_network_enabled(ctx.gateway, _network_id(ctx), False)
    return Reply(202, empty=True)


async def conn_tests(ctx: Ctx) -> Any:
    if ctx.request.method == "POST":
        commands.start_conn_tests(ctx.gateway)
    return ctx.bodies.conn_tests(ctx.gateway.snapshot())


async def logging(ctx: Ctx) -> Any:
    await ctx.body("requests/logging.json")
    return Reply(204, empty=True)


HANDLERS: dict[str, dict[str, Handler]] = {
    "solars": {"GET": SNAPSHOT},
    "solars.brands": {"GET": solar_brands},
    "solars.brands.brand": {"GET": solar_brand_models},
    "generators": {"GET": SNAPSHOT},
    "generators.disconnect_types": {"GET": disconnect_types},
    "customer": {"GET": SNAPSHOT},
    "customer.registration": {"GET": SNAPSHOT},
    "customer.registration.skip": {"POST": registration_skip},
    "customer.registration.emailed": {"POST": registration_emailed},
    "customer.registration.legal": {"POST": registration_legal},
    "installer": {"GET": SNAPSHOT},
    "installer.companies": {"GET": installer_companies},
    "meters": {"GET": SNAPSHOT},
    "meters.serial.verify": {"POST": meter_verify},
    "networks": {"GET": networks, "POST": networks},
    "networks.wifi_security_types": {"GET": wifi_security_types},
    "networks.wifi_scan": {"POST": wifi_scan},
    "networks.id.enable": {"POST": network_enable},
    "networks.id.disable": {"POST": network_disable},
    "system.networks": {"GET": SNAPSHOT},
    "system.networks.conn_tests": {"GET": conn_tests, "POST": conn_tests},
    "system.testing": {"GET": SNAPSHOT},
    "logging": {"POST": logging},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
