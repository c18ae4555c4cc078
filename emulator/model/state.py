"""The changing part of a site: stored energy, lifetime counters, and the
instantaneous power flows the meters see."""

from __future__ import annotations

from dataclasses import dataclass, field

BATTERY_OK, PV_ONLY, NEVER = "battery_ok", "pv_only", "never"
EXPORT_RULES = (BATTERY_OK, PV_ONLY, NEVER)  # what may flow to the grid: anything, solar only, nothing

SELF_CONSUMPTION = "self_consumption"
BACKUP = "backup"
AUTONOMOUS = "autonomous"
SCHEDULER = "scheduler"
SITE_CONTROL = "site_control"
OPERATION_MODES = (SELF_CONSUMPTION, BACKUP, AUTONOMOUS, SCHEDULER, SITE_CONTROL)


@dataclass(slots=True)
class Counters:
    """Lifetime energy in Wh as the gateway's meters accumulate it; they only grow."""

    site_imported_wh: float = 0.0
    site_exported_wh: float = 0.0
    battery_imported_wh: float = 0.0  # energy charged into the batteries (AC side)
    battery_exported_wh: float = 0.0  # energy discharged from the batteries (AC side)
    solar_exported_wh: float = 0.0
    solar_imported_wh: float = 0.0
    load_imported_wh: float = 0.0


@dataclass(frozen=True, slots=True)
class Flows:
    """Instantaneous AC powers in W with the gateway's sign conventions.

    site: + importing from the grid, - exporting.  battery: + discharging,
    - charging.  load: + home consumption.  solar: + producing.
    ``load_w == site_w + battery_w + solar_w`` always holds.
    """

    site_w: float
    battery_w: float
    load_w: float
    solar_w: float
    curtailed_w: float = 0.0
    blackout: bool = False


BLACKOUT = Flows(0.0, 0.0, 0.0, 0.0, 0.0, True)


@dataclass(frozen=True, slots=True)
class Controls:
    """What the gateway asks of the site at an instant."""

    mode: str = SELF_CONSUMPTION
    reserve_pct: float = 20.0  # API (raw) scale, compared with the raw SOE
    grid_connected: bool = True
    battery_enabled: bool = True  # False while sitemaster is stopped or an update pauses the battery
    solar_override_w: float | None = None
    load_override_w: float | None = None
    cloudiness: float | None = None  # None: the site's configured cloudiness
    # the owner's grid settings (config.json site_info) and a dispatched setpoint (TEDAPI v1r)
    export_rule: str = BATTERY_OK
    grid_charging: bool = True  # False: the batteries never charge from the grid
    import_limit_w: float | None = None  # the site meter's import is held below this (by the batteries)
    export_limit_w: float | None = None  # ...and its export (by curtailing solar); a magnitude
    battery_setpoint_w: float | None = None  # + discharge, - charge: overrides mode, reserve and export rule


@dataclass(frozen=True, slots=True)
class CounterReading:
    """The lifetime counters at one instant: a copy that later steps never change."""

    site_imported_wh: float
    site_exported_wh: float
    battery_imported_wh: float
    battery_exported_wh: float
    solar_exported_wh: float
    solar_imported_wh: float
    load_imported_wh: float


@dataclass(frozen=True, slots=True)
class StateReading:
    """A site's stored energy and counters at one instant, frozen for renderers to read at leisure."""

    t: float
    energy_wh: float
    pack_full_wh: tuple[float, ...]
    full_wh: float
    counters: CounterReading

    @property
    def soe_pct(self) -> float:
        return 100.0 * self.energy_wh / self.full_wh if self.full_wh > 0 else 0.0


@dataclass(slots=True)
class SiteState:
    """What the site model carries from one step to the next: the clock, the stored energy, the counters."""

    t: float  # POSIX seconds the state is valid at
    energy_wh: float  # energy stored in all Powerwalls together
    pack_full_wh: tuple[float, ...]  # nominal full-pack energy of each Powerwall
    counters: Counters = field(default_factory=Counters)

    @property
    def full_wh(self) -> float:
        return sum(self.pack_full_wh)

    @property
    def soe_pct(self) -> float:
        full = self.full_wh
        return 100.0 * self.energy_wh / full if full > 0 else 0.0

    def reading(self) -> StateReading:
        c = self.counters
        counters = CounterReading(
            c.site_imported_wh,
            c.site_exported_wh,
            c.battery_imported_wh,
            c.battery_exported_wh,
            c.solar_exported_wh,
            c.solar_imported_wh,
            c.load_imported_wh,
        )
        return StateReading(self.t, self.energy_wh, self.pack_full_wh, self.full_wh, counters)
