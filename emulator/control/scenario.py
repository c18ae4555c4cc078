"""Control routes for scenarios: list the bundled ones, load one, see what the loaded one is doing.

GET /_emulator/scenarios, POST /_emulator/scenario {"name"} and GET
/_emulator/scenario. Loading resets the gateway to the scenario's site,
start and initial state and arms its events, which then fire as the sim
clock passes them; the clock keeps its speed and pause state.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.control.routes import control_route
from emulator.device.errors import error
from emulator.device.gateway import Gateway
from emulator.device.timers import Timer
from emulator.http.body import control_body
from emulator.http.context import context
from emulator.http.reply import json_reply

if TYPE_CHECKING:
    from emulator.scenario.spec import Scenario

_HEADERS = {"cache-control": "no-cache, no-store"}
log = logging.getLogger("teg_emulator")


def listing() -> list[dict[str, str]]:
    """Every bundled scenario that loads (a broken file is logged, not served)."""
    # Scenarios load (PyYAML, their schema) when one is asked for, not at every start (issue 13)
    from emulator.scenario import ScenarioError, bundled_names, load_bundled

    found = []
    for name in bundled_names():
        try:
            s = load_bundled(name)
        except ScenarioError as exc:
            log.error("bundled scenario %s does not load: %s", name, exc)
            continue
        found.append({"name": s.name, "title": s.title, "description": s.description})
    return found


def status_body(gateway: Gateway, scenario: Scenario | None) -> dict[str, Any]:
    now = gateway.catch_up()
    zone = gateway.model.local.zone

    def event(timer: Timer[Gateway]) -> dict[str, Any]:
        return {
            "at": _iso(timer.at, zone),
            "at_s": timer.at,
            "event": timer.label,
            "label": str(timer.detail.get("label", timer.label)),
        }

    body: dict[str, Any] = {
        "name": None,
        "title": None,
        "sim_time": _iso(now, zone),
        "next_events": [],
        "fired_events": [],
    }
    if scenario is not None:
        body.update(
            name=scenario.name,
            title=scenario.title,
            description=scenario.description,
            firmware=scenario.firmware,
            start=_iso(scenario.start, zone),
            end=_iso(scenario.end, zone),
            next_events=[event(t) for t in gateway.pending_timers],
            fired_events=[event(t) for t in gateway.fired_timers],
        )
    return body


def _iso(t: float, zone: Any) -> str:
    return datetime.fromtimestamp(t, zone).isoformat()


async def list_scenarios(request: Request) -> Response:
    return json_reply(200, {"scenarios": listing()}, dict(_HEADERS))


async def get_scenario(request: Request) -> Response:
    ctx = context(request)
    return json_reply(200, status_body(ctx.gateway, ctx.scenario), dict(_HEADERS))


async def load_scenario(request: Request) -> Response:
    body = await control_body(request, "control/scenario.load.json")
    ctx = context(request)
    gw = ctx.gateway
    from emulator.scenario import ScenarioError, load_bundled  # at the first load: see listing()
    from emulator.scenario.events import install

    try:
        scenario = load_bundled(body["name"])
    except ScenarioError:
        raise error("no_bundled_scenario", name=body["name"]) from None
    try:
        install(gw, scenario)
    except ValueError as exc:
        raise error("scenario_conflict", detail=exc) from None
    ctx.scenario = scenario
    return json_reply(200, status_body(gw, scenario), dict(_HEADERS))


SCENARIO_ROUTES = [
    control_route("/_emulator/scenarios", {"GET": list_scenarios}),
    control_route("/_emulator/scenario", {"GET": get_scenario, "POST": load_scenario}),
]
