"""A scenario's events as gateway timers: each drives the same Gateway methods the APIs use.

grid_down / grid_up -> set_utility_grid (what POST /_emulator/grid does);
operation -> apply_operation (POST /_emulator/operation); sitemaster_stop /
sitemaster_run -> the sitemaster routes; cloud_cover and load_spike ->
set_overrides (PATCH /_emulator/state); firmware_update -> start_update, whose
install phase rests the battery, or with a version update_firmware (POST /_emulator/firmware): the gateway
reboots into that firmware and answers as it from then on; login -> login (POST /api/login/Basic; on
1.15.0 it stops sitemaster).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from emulator.contract import FirmwareFacts, facts_for
from emulator.device import commands, direct_control
from emulator.device.events_log import log
from emulator.device.firmware_update import (
    DEFAULT_CHECK_S,
    DEFAULT_DOWNLOAD_S,
    DEFAULT_INSTALL_S,
    DEFAULT_REBOOT_S,
    Durations,
    FirmwareChange,
    UpdateRefused,
    refusal,
)
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
    """Make the gateway serve the scenario: its site, start and initial state, its events armed.

    ValueError (nothing changed) when it needs another firmware, or names an update this site cannot take.
    """
    scenario.firmware_over(gateway.facts.version)
    problem = update_problem(scenario, gateway.facts)
    if problem is not None:
        event, why = problem
        where = f"{scenario.file}:{event.line}" if event.line else scenario.file
        raise ValueError(f"{where}: firmware_update at {scenario.label(event.at)}: {why}")
    gateway.load(gateway_settings(scenario, gateway.settings), scenario.start)


def update_problem(scenario: Scenario, start: FirmwareFacts) -> tuple[Event, str] | None:
    """The first firmware_update the site cannot take, starting on ``start``, and why (None: every one is fine).

    An update to another hardware generation, a downgrade not allowed, or one that begins while the previous
    one is still under way would be refused when it fires; a file says so when it loads instead.
    """
    return firmware_changes(scenario.events, start, scenario.label)[1]


def firmware_changes(
    events: Iterable[Event], start: FirmwareFacts, label: Callable[[float], str]
) -> tuple[list[FirmwareChange], tuple[Event, str] | None]:
    """The firmware changes ``events`` (in time order) make on a site that starts on ``start``, up to the first
    update the site cannot take, and that one with why (None: every one is fine)."""
    changes: list[FirmwareChange] = []
    facts, busy_until = start, -math.inf
    for event in events:
        if event.kind != "firmware_update":
            continue
        if event.at < busy_until:
            return changes, (event, f"the update before it is under way until {label(busy_until)}")
        if "version" not in event.params:
            busy_until = event.at + durations(event.params).check_s  # a check: firmware updates wait for it
            continue
        target = facts_for(event.params["version"])
        refused = refusal(facts, target, allow_downgrade=bool(event.params.get("allow_downgrade", False)))
        if refused is not None:
            return changes, (event, str(refused))
        changes.append(FirmwareChange(facts, target, event.at, durations(event.params)))
        busy_until, facts = changes[-1].back_at, target
    return changes, None


def in_charge(start: FirmwareFacts, changes: Iterable[FirmwareChange], begin: float, end: float) -> list[str]:
    """The versions in charge from ``begin`` to ``end``, in order: a new firmware takes charge as it reboots."""
    versions = [start.version]
    for change in changes:
        if change.reboot_at <= begin:
            versions = [change.target.version]
        elif change.reboot_at <= end:
            versions.append(change.target.version)
    return versions


def timers_for(event: Event) -> list[Timer[Gateway]]:
    """The timer(s) an event becomes; events with a duration also schedule their own end."""
    p = event.params
    builders: dict[str, Callable[[], list[tuple[float, str, Action]]]] = {
        "grid_down": lambda: _with_end(p, (0.0, "grid_down", _grid(False)), ("grid_up", _grid(True))),
        "grid_up": lambda: [(0.0, "grid_up", _grid(True))],
        "operation": lambda: [(0.0, "operation", _operation(p.get("mode"), p.get("reserve_pct")))],
        "sitemaster_stop": lambda: [(0.0, "sitemaster_stop", commands.stop_sitemaster)],
        "sitemaster_run": lambda: [(0.0, "sitemaster_run", commands.run_sitemaster)],
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
    return lambda gw: direct_control.set_utility_grid(gw, up)


def _operation(mode: str | None, reserve: float | None) -> Action:
    def act(gw: Gateway) -> None:
        now = gw.operation
        direct_control.apply_operation(
            gw, Operation(mode or now.mode, now.backup_reserve_percent if reserve is None else float(reserve))
        )

    return act


def _override(**changes: Any) -> Action:
    return lambda gw: direct_control.set_overrides(gw, replace(gw.overrides, **changes))


def durations(p: dict[str, Any]) -> Durations:
    """A firmware_update event's times (its defaults are POST /_emulator/firmware's)."""
    return Durations(
        p.get("check_s", DEFAULT_CHECK_S),
        p.get("download_s", DEFAULT_DOWNLOAD_S),
        p.get("install_s", DEFAULT_INSTALL_S),
        p.get("reboot_s", DEFAULT_REBOOT_S),
    )


def _update(p: dict[str, Any]) -> Action:
    if "version" in p:
        target, times, downgrade = facts_for(p["version"]), durations(p), bool(p.get("allow_downgrade", False))

        def install_version(gw: Gateway) -> None:
            try:
                direct_control.update_firmware(gw, target, times, allow_downgrade=downgrade)
            except UpdateRefused as exc:  # checked when the scenario was installed; the control API may intervene
                log.warning("scenario firmware_update to %s refused: %s", target.version, exc)

        return install_version
    check = p.get("check_s", 30.0)
    if p.get("available", True):
        phases = update_sequence(check, p.get("download_s", 300.0), p.get("install_s", 600.0))
    else:
        phases = check_only_sequence(check)
    return lambda gw: direct_control.start_update(gw, phases)


def _login(username: str) -> Action:
    """A client logging in with the right password (the gateway's own), as an app or script would."""

    def act(gw: Gateway) -> None:
        commands.login(gw, username, gw.password, None)

    return act
