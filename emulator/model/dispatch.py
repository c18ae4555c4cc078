"""How the Powerwalls answer the house, the sun and the grid at one instant.

A pure function from (config, controls, available PV, load, SOE, tariff
period) to power flows. Energy bookkeeping is done by :mod:`emulator.model.site`.
"""

from __future__ import annotations

from emulator.model.config import SiteConfig
from emulator.model.state import AUTONOMOUS, BACKUP, BLACKOUT, Controls, Flows
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
    battery_w = 0.0
    if controls.battery_enabled:
        net = load_w - pv_w  # > 0: the house needs more than the sun gives
        charge_limit = max_charge_w(config, soe_frac)
        can_discharge = soe_frac * 100.0 > controls.reserve_pct + 1e-9
        discharge_allowed = controls.mode != BACKUP and (controls.mode != AUTONOMOUS or period == PEAK)
        if net > 0.0 and can_discharge and discharge_allowed:
            battery_w = min(net, config.total_max_power_w)
        elif net < 0.0:
            battery_w = -min(-net, charge_limit)
        if controls.mode == BACKUP and charge_limit > 0.0:
            grid_charge = _GRID_CHARGE_FRACTION * config.total_max_power_w
            battery_w = -min(charge_limit, max(0.0, -net) + grid_charge)
    return Flows(load_w - pv_w - battery_w, battery_w, load_w, pv_w)


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
