"""The site model: integrates power flows into stored energy and counters.

``SiteModel`` is pure simulation: it is told the time and the controls, and
never reads a clock. Catching up over a long gap is done in a bounded number
of steps, so a request costs the same at any speed factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from emulator.model import profiles
from emulator.model.config import SiteConfig
from emulator.model.dispatch import dispatch
from emulator.model.localtime import LocalTime
from emulator.model.noise import hash01
from emulator.model.state import Controls, Counters, Flows, SiteState

DEFAULT_STEP_S = 1.0
_PACK_HEALTH_CHANNEL = 11


@dataclass(slots=True)
class Stretch:
    """A planned integration: ``steps`` steps of ``dt`` from ``t0`` to ``target`` under fixed controls.

    ``done`` counts the steps already taken, so a long stretch can be run in parts.
    """

    t0: float
    dt: float
    steps: int
    target: float
    controls: Controls
    done: int = 0

    @property
    def remaining(self) -> int:
        return self.steps - self.done


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
        stretch = self.plan(target, controls, max_steps=max_steps, step_s=step_s)
        self.run(stretch, stretch.steps)

    def plan(
        self, target: float, controls: Controls, *, max_steps: int = 240, step_s: float = DEFAULT_STEP_S
    ) -> Stretch:
        """The steps :meth:`advance_to` would take, to be run now or in parts (:meth:`run`).

        Fixing the step times up front is what makes a catch-up run in slices end exactly
        where the same catch-up run at once ends: every step has the same start and length.
        """
        t0 = self.state.t
        gap = target - t0
        if gap <= 0.0:
            return Stretch(t0, 0.0, 0, t0, controls)
        steps = min(max_steps, max(1, math.ceil(gap / step_s - 1e-9)))
        return Stretch(t0, gap / steps, steps, target, controls)

    def run(self, stretch: Stretch, max_steps: int) -> bool:
        """Take up to ``max_steps`` more of the stretch's steps; True once it has reached its target.

        Between parts the state sits at the end of the last step taken: a whole, consistent
        state, only earlier than the target.
        """
        first = stretch.done
        last = min(stretch.steps, first + max(0, max_steps))
        t0, dt, controls = stretch.t0, stretch.dt, stretch.controls
        for i in range(first, last):
            self._step(t0 + i * dt, dt, controls)
        stretch.done = last
        if last < stretch.steps:
            self.state.t = t0 + last * dt
            return False
        if stretch.steps:
            self.state.t = stretch.target
        return True

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
