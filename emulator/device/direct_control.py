"""What only the emulator does to its gateway: the control API's and scenario events' direct changes.

No client of a real gateway can set the state of charge, pin the sun, cut the utility's grid or install
another firmware: these are the harness's hands on the site (``/_emulator/``, a scenario's events, the
fixture's handle). Each is a function over the gateway that, like a client's command
(:mod:`emulator.device.commands`), first catches the site up to now (:meth:`Gateway.mutate`).
"""

from __future__ import annotations

from emulator.contract import FirmwareFacts
from emulator.device.events_log import log, sim
from emulator.device.firmware_update import Durations, FirmwareChange, UpdateRefused, refusal
from emulator.device.gateway import Gateway, Overrides
from emulator.device.sessions import Session
from emulator.device.snapshot import GridFault, Operation
from emulator.device.updates import UpdatePhase

MAX_GRID_FAULTS = 20  # the alerts /api/system_status/grid_faults lists, newest last
GRID_LOSS_ALERT = "PINV_a010_vfCheckUnderVoltage"  # what the Powerwalls raise when the utility goes away


def open_session(gw: Gateway, username: str) -> Session:
    """A session as if ``username`` had logged in earlier, without a login's side effects (the offline runner's
    reads: on 1.15.0 a login would stop sitemaster)."""
    return gw.logins.open(username, None, gw.facts.roles, gw.clock.now())


def set_soe(gw: Gateway, soe_pct: float) -> None:
    gw.mutate()
    gw.model.set_soe(soe_pct)


def set_overrides(gw: Gateway, overrides: Overrides) -> None:
    gw.mutate()
    gw.overrides = overrides


def apply_operation(gw: Gateway, op: Operation) -> None:
    """Make an operation active at once, dropping anything staged."""
    gw.mutate()
    gw.operation = op
    gw.staged_operation = None


def set_utility_grid(gw: Gateway, up: bool) -> None:
    """The utility's grid goes down (the site islands, an alert is raised) or comes back."""
    now = gw.mutate()
    if gw.grid.utility_up and not up:
        gw.grid_faults = [*gw.grid_faults, GridFault(now, GRID_LOSS_ALERT)][-MAX_GRID_FAULTS:]
    gw.grid.set_utility(up, now)


def start_update(gw: Gateway, phases: tuple[UpdatePhase, ...]) -> None:
    """A firmware check or upgrade walks its update states; the battery rests while it installs."""
    now = gw.mutate()
    if gw.firmware.running:
        log.info("update check at %s ignored: an update to %s is under way", sim(now), gw.firmware.target_version)
        return
    gw.update.start(phases, now)


def update_firmware(
    gw: Gateway, target: FirmwareFacts, durations: Durations, *, allow_downgrade: bool = False
) -> FirmwareChange:
    """Start an update to ``target``: it checks, downloads and installs, then reboots into the new firmware
    (the gateway takes those steps at their instants: :meth:`Gateway.reached`).

    UpdateRefused (nothing changed) for another hardware generation, a downgrade not allowed, the version
    already running, or an update already under way.
    """
    now = gw.mutate()
    if gw.firmware.running or gw.update.running:
        to = f" to {gw.firmware.target_version}" if gw.firmware.running else ""
        raise UpdateRefused(f"an update{to} is under way; wait until the gateway is back", 409)
    problem = refusal(gw.facts, target, allow_downgrade=allow_downgrade)
    if problem is not None:
        raise problem
    change = FirmwareChange(gw.facts, target, now, durations)
    gw.firmware.begin(change)
    gw.update.start(change.update_phases(), now)
    log.info("firmware update %s -> %s started at %s", change.source.version, target.version, sim(now))
    return change
