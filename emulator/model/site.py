"""The site model: integrates power flows into stored energy and counters.

``SiteModel`` is pure simulation: it is told the time and the controls, and
never reads a clock. Catching up over a long gap is done in a bounded number
of steps, so a request costs the same at any speed factor.
"""

from __future__ import annotations

import math
from dataclasses import replace

from emulator.model import profiles
from emulator.model.config import SiteConfig
from emulator.model.dispatch import dispatch
from emulator.model.localtime import LocalTime
from emulator.model.noise import hash01
from emulator.model.state import Controls, Counters, Flows, SiteState

DEFAULT_STEP_S = 1.0
_PACK_HEALTH_CHANNEL = 11


def initial_state(config: SiteConfig, t: float, soe_pct: float = 60.0) -> SiteState:
    """A site at time t with plausible, seeded lifetime counters and pack capacities."""
    if not 0.0 <= soe_pct <= 100.0:
        raise ValueError("soe_pct must be within 0..100")
    packs = tuple(
        round(config.battery_capacity_wh * (1.02 + 0.02 * hash01(config.seed, _PACK_HEALTH_CHANNEL, i)))
        for i in range(config.powerwalls)
    )
    full = float(sum(packs))
    years = 1.0 + 2.0 * hash01(config.seed, _PACK_HEALTH_CHANNEL, 99)
    solar_yearly = config.pv_rating_w * 1.6  # Wh per W of rating per year, roughly
    counters = Counters(
        site_imported_wh=round(3_500_000 * years, 3),
        site_exported_wh=round(solar_yearly * 400 * years, 3),
        battery_imported_wh=round(2_800_000 * years * config.powerwalls / 1.0, 3),
        battery_exported_wh=round(2_500_000 * years * config.powerwalls / 1.0, 3),
        solar_exported_wh=round(solar_yearly * 1_000 * years, 3),
        solar_imported_wh=round(9_000 * years, 3),
        load_imported_wh=round(7_000_000 * years, 3),
    )
    return SiteState(t=t, energy_wh=full * soe_pct / 100.0, pack_full_wh=packs, counters=counters)


class SiteModel:
    """A site (config + state) that can report its flows and be advanced in time."""

    def __init__(self, config: SiteConfig, state: SiteState) -> None:
        self.config = config
        self.state = state
        self.local = LocalTime(config.timezone)

    # -- instantaneous ------------------------------------------------------
    def flows_at(self, t: float, controls: Controls, soe_frac: float | None = None) -> Flows:
        """The flows at time t for the current stored energy (or a given SOE)."""
        cfg = self.config
        hour = self.local.hour_of_day(t)
        pv = (
            controls.solar_override_w
            if controls.solar_override_w is not None
            else profiles.solar_w(t, cfg, controls.cloudiness)
        )
        load = controls.load_override_w if controls.load_override_w is not None else profiles.load_w(t, hour, cfg)
        if soe_frac is None:
            soe_frac = self.state.energy_wh / self.state.full_wh
        return dispatch(cfg, controls, pv, load, soe_frac, cfg.tariff.period_at(hour))

    # -- integration --------------------------------------------------------
    def advance_to(
        self, target: float, controls: Controls, *, max_steps: int = 240, step_s: float = DEFAULT_STEP_S
    ) -> None:
        """Integrate from the state's time to ``target`` under fixed controls.

        Uses steps of ``step_s`` unless that would take more than
        ``max_steps``; then the gap is split into ``max_steps`` equal steps.
        """
        gap = target - self.state.t
        if gap <= 0.0:
            return
        steps = min(max_steps, max(1, math.ceil(gap / step_s - 1e-9)))
        dt = gap / steps
        t = self.state.t
        for i in range(steps):
            self._step(t + i * dt, dt, controls)
        self.state.t = target

    def _step(self, t0: float, dt: float, controls: Controls) -> None:
        state, cfg = self.state, self.config
        full = state.full_wh
        flows = self.flows_at(t0 + 0.5 * dt, controls, state.energy_wh / full)
        if flows.blackout:
            return
        battery_w, eff, hours = flows.battery_w, cfg.one_way_efficiency, dt / 3_600.0
        floor = full * controls.reserve_pct / 100.0 if controls.grid_connected else 0.0
        energy = state.energy_wh
        if battery_w > 0.0:
            new = max(energy - battery_w * hours / eff, min(floor, energy))
            battery_w = (energy - new) * eff / hours
        elif battery_w < 0.0:
            new = min(energy - battery_w * hours * eff, max(full, energy))
            battery_w = -(new - energy) / eff / hours
        else:
            new = energy
        state.energy_wh = new
        solar_w, site_w = flows.solar_w, flows.site_w
        if battery_w != flows.battery_w:
            if controls.grid_connected:
                site_w = flows.load_w - solar_w - battery_w
            elif battery_w < 0.0 or flows.battery_w < 0.0:
                solar_w = flows.load_w - battery_w  # curtail further: the pack is full
        self._count(state.counters, site_w, battery_w, flows.load_w, solar_w, hours)

    @staticmethod
    def _count(c: Counters, site_w: float, battery_w: float, load_w: float, solar_w: float, hours: float) -> None:
        if site_w >= 0.0:
            c.site_imported_wh += site_w * hours
        else:
            c.site_exported_wh -= site_w * hours
        if battery_w >= 0.0:
            c.battery_exported_wh += battery_w * hours
        else:
            c.battery_imported_wh -= battery_w * hours
        if solar_w >= 0.0:
            c.solar_exported_wh += solar_w * hours
        else:
            c.solar_imported_wh -= solar_w * hours
        c.load_imported_wh += load_w * hours

    # -- direct changes (control API, scenarios) ------------------------------
    def set_soe(self, soe_pct: float) -> None:
        if not 0.0 <= soe_pct <= 100.0:
            raise ValueError("soe_pct must be within 0..100")
        self.state.energy_wh = self.state.full_wh * soe_pct / 100.0

    def snapshot_state(self) -> SiteState:
        """A copy of the state that later steps do not change."""
        return replace(self.state, counters=replace(self.state.counters))
