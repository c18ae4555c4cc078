"""Every bundled scenario passes, and its expectations would notice if the day went differently."""

from __future__ import annotations

from dataclasses import replace

import pytest

from emulator.device.snapshot import Operation
from emulator.runner.engine import run
from emulator.scenario import all_bundled, bundled_names, load_bundled
from tests.support.paths import ROOT

NAMES = bundled_names()
REQUIRED = {
    "sunny-summer-day",
    "winter-day",
    "sce-tou-autonomous",
    "firmware-update-before-peak",
    "evening-outage",
    "outage-drains-battery",
    "two-powerwalls-grid-restore",
    "login-stops-sitemaster",
}


def test_the_library_has_the_situations_people_need():
    assert REQUIRED <= set(NAMES) and len(NAMES) >= 8
    for scenario in all_bundled():
        assert scenario.title and scenario.description, scenario.name
        assert len(scenario.expectations) >= 5, f"{scenario.name} checks too little"


@pytest.mark.parametrize("name", NAMES)
def test_bundled_scenario_passes(name):
    result = run(load_bundled(name))
    failed = [o.line(result.scenario.label) for o in result.outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert len(result.fired) >= len(result.scenario.events)


@pytest.mark.parametrize("name", NAMES)
def test_bundled_expectations_bite_when_the_day_goes_differently(name):
    """Without its events (or, for a plain day, in another mode) a scenario must fail somewhere."""
    scenario = load_bundled(name)
    if scenario.events:
        changed = replace(scenario, events=())
    else:
        other = "backup" if scenario.operation.mode != "backup" else "self_consumption"
        changed = replace(scenario, operation=Operation(other, scenario.operation.backup_reserve_percent))
    assert not run(changed, resolution_s=300).passed


def test_the_wheel_ships_the_bundled_scenarios_where_the_loader_looks():
    import tomllib
    from pathlib import Path

    from emulator.scenario import bundled

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    included = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["scenarios"] == "emulator/_scenarios"
    assert bundled._CANDIDATES[0] == Path(bundled.__file__).resolve().parent.parent / "_scenarios"
