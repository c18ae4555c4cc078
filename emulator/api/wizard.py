"""The commissioning wizard's endpoints: solar, generators, customer, installer, networks, meters, tests."""

from __future__ import annotations

from typing import Any

from emulator.api.base import Ctx, api_route, snapshot_read
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
    ctx.gateway.update_registration(skipped_registration=True)
    return ctx.bodies.registration(ctx.gateway.snapshot())


async def registration_emailed(ctx: Ctx) -> Any:
    ctx.gateway.update_registration(emailed_registration=True)
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
    ctx.gateway.set_network_enabled(_network_id(ctx), True)
    return Reply(202, empty=True)


async def network_disable(ctx: Ctx) -> Any:
    ctx.gateway.set_network_enabled(_network_id(ctx), False)
    return Reply(202, empty=True)


async def conn_tests(ctx: Ctx) -> Any:
    if ctx.request.method == "POST":
        ctx.gateway.start_conn_tests()
    return ctx.bodies.conn_tests(ctx.gateway.snapshot())


async def logging(ctx: Ctx) -> Any:
    await ctx.body("requests/logging.json")
    return Reply(204, empty=True)


ROUTES = [
    api_route("solars", "/api/solars", {"GET": snapshot_read("solars")}),
    api_route("solars.brands", "/api/solars/brands", {"GET": solar_brands}),
    api_route("solars.brands.brand", "/api/solars/brands/{brand}", {"GET": solar_brand_models}),
    api_route("generators", "/api/generators", {"GET": snapshot_read("generators")}),
    api_route("generators.disconnect_types", "/api/generators/disconnect_types", {"GET": disconnect_types}),
    api_route("customer", "/api/customer", {"GET": snapshot_read("customer")}),
    api_route("customer.registration", "/api/customer/registration", {"GET": snapshot_read("customer.registration")}),
    api_route("customer.registration.skip", "/api/customer/registration/skip", {"POST": registration_skip}),
    api_route("customer.registration.emailed", "/api/customer/registration/emailed", {"POST": registration_emailed}),
    api_route("customer.registration.legal", "/api/customer/registration/legal", {"POST": registration_legal}),
    api_route("installer", "/api/installer", {"GET": snapshot_read("installer")}),
    api_route("installer.companies", "/api/installer/companies", {"GET": installer_companies}),
    api_route("meters", "/api/meters", {"GET": snapshot_read("meters")}),
    api_route("meters.serial.verify", "/api/meters/{serial}/verify", {"POST": meter_verify}),
    api_route("networks", "/api/networks", {"GET": networks, "POST": networks}),
    api_route("networks.wifi_security_types", "/api/networks/wifi_security_types", {"GET": wifi_security_types}),
    api_route("networks.wifi_scan", "/api/networks/wifi_scan", {"POST": wifi_scan}),
    api_route("networks.id.enable", "/api/networks/{id}/enable", {"POST": network_enable}),
    api_route("networks.id.disable", "/api/networks/{id}/disable", {"POST": network_disable}),
    api_route("system.networks", "/api/system/networks", {"GET": snapshot_read("system.networks")}),
    api_route("system.networks.conn_tests", "/api/system/networks/conn_tests", {"GET": conn_tests, "POST": conn_tests}),
    api_route("system.testing", "/api/system/testing", {"GET": snapshot_read("system.testing")}),
    api_route("logging", "/api/logging", {"POST": logging}),
]
