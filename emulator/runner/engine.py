"""Running a scenario offline: as fast as the machine allows, never sleeping.

The runner assembles a gateway (emulator.serving.assembly) whose clock is paused at the scenario's start,
arms the scenario's events as the gateway's timers (exactly as ``serve
--scenario`` does), then moves the clock from sample to sample. The gateway
fires each event at its own instant while catching up, so results do not
depend on the sampling resolution; only what is recorded does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.device.gateway import Gateway
from emulator.device.timers import Timer
from emulator.runner.expect import Outcome, Readings, evaluate, instants_needed
from emulator.runner.probe import Probe
from emulator.scenario.spec import Scenario
from emulator.scenario.times import DEFAULT_RESOLUTION_S
from emulator.serving.assembly import Assembly, assemble
from emulator.serving.options import RunOptions

CATCH_UP_STEPS = 1_000_000  # keep 1 s model steps however far apart two samples are
Progress = Callable[[int, int], None]  # (instants done, instants in all)


@dataclass(frozen=True, slots=True)
class Sample:
    """One row of the time series: what the meters and the gateway said at an instant."""

    t: float
    site_w: float
    battery_w: float
    load_w: float
    solar_w: float
    soe_pct: float
    reserve_pct: float
    grid_status: str
    grid_connected: bool
    mode: str
    sitemaster_running: bool
    blackout: bool
    update_state: str


@dataclass
class RunResult:
    scenario: Scenario
    resolution_s: float
    samples: list[Sample]
    outcomes: list[Outcome]
    fired: list[Timer[Gateway]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(outcome.passed for outcome in self.outcomes)


def assemble_for(scenario: Scenario) -> Assembly:
    """The scenario's gateway and app, assembled as ``serve --scenario`` would (plain HTTP: nothing listens),
    with the clock paused at the scenario's start and its events armed."""
    return assemble(RunOptions(paused=True, tls=False), scenario=scenario)


def sample_times(scenario: Scenario, resolution_s: float) -> list[float]:
    count = math.floor((scenario.end - scenario.start) / resolution_s + 1e-9)
    times = [scenario.start + i * resolution_s for i in range(count + 1)]
    if times[-1] < scenario.end:
        times.append(scenario.end)
    return times


def run(scenario: Scenario, resolution_s: float = DEFAULT_RESOLUTION_S, progress: Progress | None = None) -> RunResult:
    if not resolution_s > 0:
        raise ValueError("resolution must be > 0 seconds")
    assembly = assemble_for(scenario)
    gateway = assembly.gateway
    probe = Probe(gateway, assembly.app)
    samples_at = sample_times(scenario, resolution_s)
    needed = instants_needed(scenario.expectations, samples_at)
    instants = sorted(set(samples_at) | set(needed))
    on_grid = set(samples_at)
    readings: Readings = {}
    try:
        samples = []
        for done, t in enumerate(instants, 1):
            gateway.clock.set_time(t)
            gateway.catch_up(max_steps=CATCH_UP_STEPS)
            if t in on_grid:
                samples.append(take_sample(gateway))
            for source in needed.get(t, ()):
                readings[(t, source)] = _read(probe, source)
            if progress is not None:
                progress(done, len(instants))
    finally:
        probe.close()
    outcomes = [evaluate(e, readings, samples_at, scenario.label) for e in scenario.expectations]
    return RunResult(scenario, resolution_s, samples, outcomes, list(gateway.fired_timers))


def _read(probe: Probe, source: str) -> tuple[int, Any]:
    if source == "/_emulator/state":
        return 200, probe.state()
    return probe.get(source)


def take_sample(gw: Gateway) -> Sample:
    snap = gw.snapshot()
    flows = snap.flows
    return Sample(
        t=snap.t,
        site_w=flows.site_w,
        battery_w=flows.battery_w,
        load_w=flows.load_w,
        solar_w=flows.solar_w,
        soe_pct=snap.soe_pct,
        reserve_pct=snap.operation.backup_reserve_percent,
        grid_status=snap.grid_status,
        grid_connected=gw.grid.connected,
        mode=snap.operation.mode,
        sitemaster_running=snap.sitemaster_running,
        blackout=flows.blackout,
        update_state=gw.update.state,
    )
