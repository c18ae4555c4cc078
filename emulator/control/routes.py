"""The emulator's own control API under /_emulator/ (never under /api/).

Lets tests and people drive the gateway into any state: grid up or down,
clock speed, pause and advance, SOE and solar/load overrides, sitemaster,
operation, reset. Bad input gets a 4xx JSON error and changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.device import commands, direct_control
from emulator.device.gateway import Gateway, Overrides
from emulator.device.reserve import api_to_app, app_to_api
from emulator.device.site_controls import NO_LIMIT_KW
from emulator.device.snapshot import Operation, Snapshot
from emulator.http.body import control_body
from emulator.http.context import context
from emulator.http.reply import json_reply
from emulator.http.turn import turn_of

_HEADERS = {"cache-control": "no-cache, no-store"}
Endpoint = Callable[[Request], Awaitable[Response]]
ADVANCE_MAX_STEPS = 86_400  # up to a day at 1 s resolution (~0.5 s CPU); longer jumps take coarser steps


def state_body(gw: Gateway) -> dict[str, Any]:
    snap = gw.snapshot()
    flows, c = snap.flows, snap.state.counters
    staged = snap.staged_operation
    return {
        "firmware": gw.facts.version,
        "sim_time": gw.model.local.datetime(snap.t).isoformat(),
        "sim_time_s": snap.t,
        "speed": gw.clock.speed,
        "paused": gw.clock.paused,
        "soe_pct": snap.soe_pct,
        "power_w": {"site": flows.site_w, "battery": flows.battery_w, "load": flows.load_w, "solar": flows.solar_w},
        "energy_wh": {
            "site_imported": c.site_imported_wh,
            "site_exported": c.site_exported_wh,
            "battery_imported": c.battery_imported_wh,
            "battery_exported": c.battery_exported_wh,
            "solar_exported": c.solar_exported_wh,
            "load_imported": c.load_imported_wh,
        },
        "grid": {"connected": gw.grid.connected, "utility_up": gw.grid.utility_up, "status": snap.grid_status},
        "sitemaster": {"running": snap.sitemaster_running},
        "operation": _operation(snap.operation),
        "staged_operation": _operation(staged) if staged else None,
        "overrides": {
            "solar_w": gw.overrides.solar_w,
            "load_w": gw.overrides.load_w,
            "cloud_cover": gw.overrides.cloud_cover,
        },
        "curtailed_w": flows.curtailed_w,
        "blackout": flows.blackout,
        "powerwalls": gw.config.powerwalls,
        "update": {
            "state": gw.update.state,
            "status": gw.update.status,
            "firmware": gw.firmware.change.as_json(snap.t) if gw.firmware.change is not None else None,
        },
        "sessions": len(gw.logins.sessions),
        "session_lifetime_s": gw.logins.lifetime_s if gw.logins.lifetime_s < math.inf else None,
        "site_controls": _site_controls(snap),
    }


def _site_controls(snap: Snapshot) -> dict[str, Any]:
    """The owner's controls TEDAPI v1r commands set: grid settings, a setpoint, a manual backup, calibration."""
    controls, t = snap.site_controls, snap.t
    grid, setpoint, event, calibration = controls.grid, controls.setpoint, controls.backup_event, controls.calibration
    return {
        "export_rule": grid.export_rule,
        "grid_charging": grid.grid_charging,
        "solar_curtailment": grid.solar_curtailment,
        "import_limit_kw": None if grid.import_limit_kw >= NO_LIMIT_KW else grid.import_limit_kw,
        "export_limit_kw": None if grid.export_limit_kw >= NO_LIMIT_KW else grid.export_limit_kw,
        "battery_setpoint": None
        if setpoint is None
        else {"power_w": setpoint.power_w, "left_s": max(0.0, setpoint.until - t)},
        "manual_backup": None
        if event is None
        else {
            "start_time_s": event.start_time_s,
            "duration_s": event.duration_s,
            "active": event.active(t),
            "left_s": max(0.0, event.end - t),
        },
        "calibration": {
            "delays_left": calibration.delays_left,
            "max_delays": calibration.max_delays,
            "delay_left_s": calibration.remaining_s(t),
        },
    }


def _operation(op: Operation) -> dict[str, Any]:
    return {
        "mode": op.mode,
        "backup_reserve_percent": op.backup_reserve_percent,
        "backup_reserve_app_percent": api_to_app(op.backup_reserve_percent),
    }


def _gateway(request: Request) -> Gateway:
    return context(request).gateway


def _reply(gw: Gateway) -> Response:
    return json_reply(200, state_body(gw), dict(_HEADERS))


async def get_state(request: Request) -> Response:
    return _reply(_gateway(request))


async def patch_state(request: Request) -> Response:
    body = await control_body(request, "control/state.patch.json")
    gw = _gateway(request)
    current = gw.overrides
    overrides = Overrides(
        solar_w=body.get("solar_w", current.solar_w),
        load_w=body.get("load_w", current.load_w),
        cloud_cover=body.get("cloud_cover", current.cloud_cover),
    )
    if "soe_pct" in body:
        direct_control.set_soe(gw, body["soe_pct"])
    direct_control.set_overrides(gw, overrides)
    return _reply(gw)


async def post_grid(request: Request) -> Response:
    body = await control_body(request, "control/grid.json")
    gw = _gateway(request)
    direct_control.set_utility_grid(gw, body["connected"])
    return _reply(gw)


async def post_clock(request: Request) -> Response:
    body = await control_body(request, "control/clock.json")
    gw = _gateway(request)
    turn = turn_of(gw)
    async with turn.exclusive():  # jumps of one gateway queue; its other requests wait (emulator.http.turn)
        gw.catch_up()
        if "paused" in body:
            gw.clock.pause() if body["paused"] else gw.clock.resume()
        if "speed" in body:
            gw.clock.set_speed(body["speed"])
        if "advance_s" in body:
            gw.clock.advance(body["advance_s"])
            gw.begin_catch_up(ADVANCE_MAX_STEPS)
            await turn.drive()  # in slices: the process serves everyone else in between
        return _reply(gw)


async def post_sitemaster(request: Request) -> Response:
    body = await control_body(request, "control/sitemaster.json")
    gw = _gateway(request)
    commands.run_sitemaster(gw) if body["running"] else commands.stop_sitemaster(gw)
    return _reply(gw)


async def post_operation(request: Request) -> Response:
    """Set mode/reserve directly (no staging); the reserve may be given on the app's scale."""
    body = await control_body(request, "control/operation.json")
    gw = _gateway(request)
    reserve = body.get("backup_reserve_percent")
    if "backup_reserve_app_percent" in body:
        reserve = app_to_api(body["backup_reserve_app_percent"])
    current = gw.operation
    direct_control.apply_operation(
        gw, Operation(body.get("mode", current.mode), current.backup_reserve_percent if reserve is None else reserve)
    )
    return _reply(gw)


async def post_reset(request: Request) -> Response:
    """Fresh state: the gateway back to its start, no fault rules, an empty journal."""
    gw = _gateway(request)
    gw.reset()
    ctx = context(request)
    ctx.faults.clear()
    ctx.journal.clear()
    return _reply(gw)


def control_route(path: str, handlers: dict[str, Endpoint]) -> Route:
    """One route per path, so a wrong method's 405 lists every method the path allows."""

    async def endpoint(request: Request) -> Response:
        return await handlers["GET" if request.method == "HEAD" else request.method](request)

    return Route(path, endpoint, methods=sorted(handlers))


CONTROL_ROUTES = [
    control_route("/_emulator/state", {"GET": get_state, "PATCH": patch_state}),
    control_route("/_emulator/grid", {"POST": post_grid}),
    control_route("/_emulator/clock", {"POST": post_clock}),
    control_route("/_emulator/sitemaster", {"POST": post_sitemaster}),
    control_route("/_emulator/operation", {"POST": post_operation}),
    control_route("/_emulator/reset", {"POST": post_reset}),
]
