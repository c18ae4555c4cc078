"""The owner's controls beyond operation mode and reserve, as TEDAPI v1r commands set them.

- **Grid settings** (config.json ``site_info``): what may be exported, whether the batteries may charge
  from the grid, solar curtailment, the site meter's import and export limits; plus the config.json keys
  the gateway keeps without acting on them (``strategy.TOU_mode``, ...).
- **A dispatched setpoint**: a battery power for a number of seconds, then it lapses by itself.
- **A manual backup event**: the reserve held at 100 % (the batteries charge, from the grid too when
  allowed) from a start time for a duration. The start is the client's wall-clock time, kept as sent for
  listing back; inside the model it is mapped onto the simulated clock.
- **The battery calibration's delays**: how many are left and how long the current one runs.

A state machine of the gateway's, like the grid's: the gateway changes it (after catching the model up)
and asks it what the model should do at an instant and when that next changes by itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from emulator.model import BACKUP, BATTERY_OK, Controls

NO_LIMIT_KW = 1_000_000_000  # what config.json says when a site meter limit is not set
CALIBRATION_DELAYS = 3  # the emulator's choice: no source states a gateway's number


@dataclass(frozen=True, slots=True)
class GridSettings:
    export_rule: str = BATTERY_OK  # customer_preferred_export_rule: battery_ok, pv_only or never
    grid_charging: bool = True  # not disallow_charge_from_grid_with_solar_installed
    solar_curtailment: bool = False  # on_grid_solar_curtailment_enabled
    import_limit_kw: float = NO_LIMIT_KW  # max_site_meter_power_ac
    export_limit_kw: float = NO_LIMIT_KW  # -min_site_meter_power_ac
    extras: str = "{}"  # config.json keys kept as written, not acted on (JSON text: immutable)

    def extra_keys(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.extras)
        return value


@dataclass(frozen=True, slots=True)
class Setpoint:
    power_w: float  # + discharge, - charge
    until: float  # sim seconds


@dataclass(frozen=True, slots=True)
class BackupEvent:
    start_time_s: int  # the client's wall-clock start, listed back as sent
    duration_s: int
    priority: int
    start: float  # the same instant on the simulated clock

    @property
    def end(self) -> float:
        return self.start + self.duration_s

    def active(self, t: float) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True, slots=True)
class Calibration:
    delays_left: int = CALIBRATION_DELAYS
    max_delays: int = CALIBRATION_DELAYS
    delayed_until: float | None = None  # sim seconds

    def remaining_s(self, t: float) -> int:
        return 0 if self.delayed_until is None else max(0, round(self.delayed_until - t))


@dataclass(frozen=True, slots=True)
class SiteControlsView:
    """What a renderer may read of these controls at one instant."""

    grid: GridSettings
    setpoint: Setpoint | None
    backup_event: BackupEvent | None
    calibration: Calibration


class CommandRefused(ValueError):
    """A command the gateway cannot carry out now (no delays left); the message says why."""


class SiteControls:
    """The machine: changed by the gateway's methods, read by its model and its renderers."""

    def __init__(self) -> None:
        self.grid = GridSettings()
        self.setpoint: Setpoint | None = None
        self.backup_event: BackupEvent | None = None
        self.calibration = Calibration()

    # -- what the model does ------------------------------------------------------------
    def applied(self, controls: Controls, t: float) -> Controls:
        """``controls`` as these settings change them at ``t``."""
        grid = self.grid
        changed = replace(
            controls,
            export_rule=grid.export_rule,
            grid_charging=grid.grid_charging,
            import_limit_w=None if grid.import_limit_kw >= NO_LIMIT_KW else grid.import_limit_kw * 1000.0,
            export_limit_w=None if grid.export_limit_kw >= NO_LIMIT_KW else grid.export_limit_kw * 1000.0,
        )
        if self.backup_event is not None and self.backup_event.active(t):
            changed = replace(changed, mode=BACKUP, reserve_pct=100.0)
        if self.setpoint is not None and t < self.setpoint.until:
            changed = replace(changed, battery_setpoint_w=self.setpoint.power_w)
        return changed

    def next_change(self, t: float) -> float | None:
        """The next instant after ``t`` at which these controls change by themselves."""
        times = []
        if self.setpoint is not None and t < self.setpoint.until:
            times.append(self.setpoint.until)
        event = self.backup_event
        if event is not None:
            times.extend(x for x in (event.start, event.end) if x > t)
        return min(times) if times else None

    def reached(self, t: float) -> None:
        """Let what has lapsed by ``t`` go: a setpoint's time, a backup event's end."""
        if self.setpoint is not None and t >= self.setpoint.until:
            self.setpoint = None
        if self.backup_event is not None and t >= self.backup_event.end:
            self.backup_event = None

    def view(self) -> SiteControlsView:
        return SiteControlsView(self.grid, self.setpoint, self.backup_event, self.calibration)

    # -- commands ---------------------------------------------------------------------------
    def dispatch(self, power_w: float, duration_s: int, now: float) -> None:
        """A new setpoint replaces an active one, power and timer both."""
        self.setpoint = Setpoint(power_w, now + duration_s)

    def resume(self) -> None:
        self.setpoint = None

    def schedule_backup(self, start_time_s: int, duration_s: int, priority: int, start: float) -> None:
        self.backup_event = BackupEvent(start_time_s, duration_s, priority, start)

    def cancel_backup(self) -> None:
        self.backup_event = None

    def delay_calibration(self, hours: int, now: float) -> None:
        left = self.calibration.delays_left
        if left <= 0:
            raise CommandRefused(f"no calibration delays left (of {self.calibration.max_delays})")
        self.calibration = replace(self.calibration, delays_left=left - 1, delayed_until=now + hours * 3600.0)
