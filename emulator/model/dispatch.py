"""How the Powerwalls answer the house, the sun and the grid at one instant.

A pure function from (config, controls, available PV, load, SOE, tariff
period) to power flows. Energy bookkeeping is done by :mod:`emulator.model.site`.
"""

from __future__ import annotations

from emulator.model.config import SiteConfig
from emulator.model.state import AUTONOMOUS, BACKUP, BLACKOUT, NEVER, Controls, Flows
from emulator.model.tariff import PEAK

_FULL_TAPER = 0.03  # charging tapers over the last 3 % like a real pack
_MIN_TAPER_W = 50.0
_GRID_CHARGE_FRACTION = 0.5  # backup mode tops up from the grid at half power


def max_charge_w(config: SiteConfig, soe_frac: float) -> float:
    if soe_frac >= 1.0:
        return 0.0
    room = (1.0 - soe_frac) / _FULL_TAPER
    limit = config.total_max_power_w
    return limit if room >= 1.0 else max(_MIN_TAPER_W, limit * room)


def dispatch(
    config: SiteConfig,
    controls: Controls,
    pv_w: float,
    load_w: float,
    soe_frac: float,
    period: str,
) -> Flows:
    """The flows at one instant; ``load = site + battery + solar`` by construction."""
    if controls.grid_connected:
        return _on_grid(config, controls, pv_w, load_w, soe_frac, period)
    return _islanded(config, controls, pv_w, load_w, soe_frac)


def _on_grid(config: SiteConfig, controls: Controls, pv_w: float, load_w: float, soe_frac: float, period: str) -> Flows:
    if controls.battery_setpoint_w is not None and controls.battery_enabled:
        return _setpoint(config, controls.battery_setpoint_w, pv_w, load_w, soe_frac)
    battery_w = 0.0
    can_discharge = soe_frac * 100.0 > controls.reserve_pct + 1e-9
    if controls.battery_enabled:
        net = load_w - pv_w  # > 0: the house needs more than the sun gives
        charge_limit = max_charge_w(config, soe_frac)
        discharge_allowed = controls.mode != BACKUP and (controls.mode != AUTONOMOUS or period == PEAK)
        if net > 0.0 and can_discharge and discharge_allowed:
            battery_w = min(net, config.total_max_power_w)
        elif net < 0.0:
            battery_w = -min(-net, charge_limit)
        if controls.mode == BACKUP and charge_limit > 0.0 and controls.grid_charging:
            grid_charge = _GRID_CHARGE_FRACTION * config.total_max_power_w
            battery_w = -min(charge_limit, max(0.0, -net) + grid_charge)
        battery_w = _import_limited(config, controls, load_w - pv_w - battery_w, battery_w, can_discharge)
    return _export_limited(controls, Flows(load_w - pv_w - battery_w, battery_w, load_w, pv_w))


def _setpoint(config: SiteConfig, setpoint_w: float, pv_w: float, load_w: float, soe_frac: float) -> Flows:
    """A dispatched battery power, within what the packs can do; the grid takes the rest either way."""
    limit = config.total_max_power_w
    battery_w = (
        min(setpoint_w, limit if soe_frac > 0.0 else 0.0)
        if setpoint_w >= 0
        else max(setpoint_w, -max_charge_w(config, soe_frac))
    )
    return Flows(load_w - pv_w - battery_w, battery_w, load_w, pv_w)


def _import_limited(
    config: SiteConfig, controls: Controls, site_w: float, battery_w: float, can_discharge: bool
) -> float:
    """The battery power that holds the site's import under its limit, as far as the packs may: a charging
    battery charges less, and one above its reserve discharges."""
    limit = controls.import_limit_w
    if limit is None or site_w <= limit:
        return battery_w
    cap = config.total_max_power_w if can_discharge else 0.0
    return max(battery_w, min(battery_w + (site_w - limit), cap))


def _export_limited(controls: Controls, flows: Flows) -> Flows:
    """Solar curtailed so that what the site exports obeys the export rule and limit."""
    allowed = 0.0 if controls.export_rule == NEVER else float("inf")
    if controls.export_limit_w is not None:
        allowed = min(allowed, controls.export_limit_w)
    excess = -flows.site_w - allowed
    if excess <= 0.0:
        return flows
    cut = min(excess, flows.solar_w)
    return Flows(flows.site_w + cut, flows.battery_w, flows.load_w, flows.solar_w - cut, flows.curtailed_w + cut)


def _islanded(config: SiteConfig, controls: Controls, pv_w: float, load_w: float, soe_frac: float) -> Flows:
    """Off grid the batteries form the grid: they carry the house or it goes dark."""
    if not controls.battery_enabled:
        return BLACKOUT
    net = load_w - pv_w
    if net > 0.0:
        if soe_frac <= 0.0 or net > config.total_max_power_w:
            return BLACKOUT
        return Flows(0.0, net, load_w, pv_w)
    surplus = -net
    charge = min(surplus, max_charge_w(config, soe_frac))
    curtailed = surplus - charge
    return Flows(0.0, -charge, load_w, pv_w - curtailed, curtailed)
