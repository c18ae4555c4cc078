"""A scenario's events as gateway timers: each drives the same Gateway methods the APIs use.

grid_down / grid_up -> set_utility_grid (what POST /_emulator/grid does);
operation -> apply_operation (POST /_emulator/operation); sitemaster_stop /
sitemaster_run -> the sitemaster routes; cloud_cover and load_spike ->
set_overrides (PATCH /_emulator/state); firmware_update -> start_update, whose
install phase rests the battery; login -> login (POST /api/login/Basic; on
1.15.0 it stops sitemaster).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from emulator.device.gateway import Gateway, GatewaySettings
from emulator.device.snapshot import Operation
from emulator.device.timers import Timer
from emulator.device.updates import check_only_sequence, update_sequence
from emulator.scenario.spec import Event, Scenario

Action = Callable[[Gateway], None]
EVENT_KINDS = (
    "grid_down",
    "grid_up",
    "operation",
    "sitemaster_stop",
    "sitemaster_run",
    "cloud_cover",
    "load_spike",
    "firmware_update",
    "login",
)


def gateway_settings(scenario: Scenario, base: GatewaySettings) -> GatewaySettings:
    """A gateway's settings made into a scenario's site and initial state (serial, password kept).

    Lives here, not on :class:`Scenario`, because the spec is plain data and the
    events need the spec: the spec knowing its timers would be an import cycle.
    """
    return replace(
        base,
        config=scenario.config,
        start_soe_pct=scenario.soe_pct,
        operation=scenario.operation,
        grid_connected=scenario.grid_connected,
        timeline=tuple(timer for event in scenario.events for timer in timers_for(event)),
    )


def install(gateway: Gateway, scenario: Scenario) -> None:
    """Make the gateway serve the scenario: its site, start and initial state, its events armed."""
    scenario.firmware_over(gateway.facts.version)
    gateway.load(gateway_settings(scenario, gateway.settings), scenario.start)


def timers_for(event: Event) -> list[Timer[Gateway]]:
    """The timer(s) an event becomes; events with a duration also schedule their own end."""
    p = event.params
    builders: dict[str, Callable[[], list[tuple[float, str, Action]]]] = {
        "grid_down": lambda: _with_end(p, (0.0, "grid_down", _grid(False)), ("grid_up", _grid(True))),
        "grid_up": lambda: [(0.0, "grid_up", _grid(True))],
        "operation": lambda: [(0.0, "operation", _operation(p.get("mode"), p.get("reserve_pct")))],
        "sitemaster_stop": lambda: [(0.0, "sitemaster_stop", Gateway.stop_sitemaster)],
        "sitemaster_run": lambda: [(0.0, "sitemaster_run", Gateway.run_sitemaster)],
        "cloud_cover": lambda: _with_end(
            p, (0.0, "cloud_cover", _override(cloud_cover=p["value"])), ("clouds_clear", _override(cloud_cover=None))
        ),
        "load_spike": lambda: _with_end(
            p, (0.0, "load_spike", _override(load_w=p["load_w"])), ("load_spike_end", _override(load_w=None))
        ),
        "firmware_update": lambda: [(0.0, "firmware_update", _update(p))],
        "login": lambda: [(0.0, "login", _login(p.get("username", "customer")))],
    }
    timers: list[Timer[Gateway]] = []
    for offset, kind, action in builders[event.kind]():
        detail = {"label": event.label, **p} if offset == 0.0 else {"label": _end_label(event, kind)}
        timers.append(Timer(event.at + offset, kind, action, detail))
    return timers


def _end_label(event: Event, kind: str) -> str:
    """What the end of a timed event is called on a plot: "grid back", "oven ends"."""
    if kind == "grid_up":
        return "grid back"
    if kind == "clouds_clear":
        return "clouds clear"
    return f"{event.label} ends" if event.label != event.kind else "load spike ends"


def _with_end(
    p: dict[str, Any], begin: tuple[float, str, Action], end: tuple[str, Action]
) -> list[tuple[float, str, Action]]:
    duration = p.get("duration_s")
    return [begin] if duration is None else [begin, (duration, *end)]


def _grid(up: bool) -> Action:
    return lambda gw: gw.set_utility_grid(up)


def _operation(mode: str | None, reserve: float | None) -> Action:
    def act(gw: Gateway) -> None:
        now = gw.operation
        gw.apply_operation(
            Operation(mode or now.mode, now.backup_reserve_percent if reserve is None else float(reserve))
        )

    return act


def _override(**changes: Any) -> Action:
    return lambda gw: gw.set_overrides(replace(gw.overrides, **changes))


def _update(p: dict[str, Any]) -> Action:
    check = p.get("check_s", 30.0)
    if p.get("available", True):
        phases = update_sequence(check, p.get("download_s", 300.0), p.get("install_s", 600.0))
    else:
        phases = check_only_sequence(check)
    return lambda gw: gw.start_update(phases)


def _login(username: str) -> Action:
    """A client logging in with the right password (the gateway's own), as an app or script would."""

    def act(gw: Gateway) -> None:
        gw.login(username, gw.password, None)

    return act
