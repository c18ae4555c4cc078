"""The runner: events at their own instant, exact windows, results independent of the resolution."""

from __future__ import annotations

import pytest

from emulator.runner.engine import run
from emulator.scenario import ScenarioError, load_text
from tests.support.paths import ROOT

SPIKE = """
title: a kettle that never stops
start: 2026-07-15T00:00
duration: 4h
site: {pv_rating_w: 0}
initial: {soe_pct: 50, reserve_pct: 100, mode: self_consumption}
events:
  - {at: "01:00", do: load_spike, load_w: 3000, duration: 1h}
  - {at: "02:00:30", do: grid_down}
expect:
  - {from: "01:00", to: "01:59:59", field: power_w.load, equals: 3000}
  - {from: "01:00", to: "02:00", field: energy_wh.load_imported, change: {within: [2999.9, 3000.1]}}
  - {from: "01:00", to: "02:00", field: energy_wh.site_imported, change: {within: [2999.9, 3000.1]}}
  - {at: "+2h30.5s", field: grid.status, equals: SystemTransitionToIsland}
  - {at: "02:00:32", endpoint: /api/system_status/grid_status, field: grid_status, equals: SystemIslandedActive}
  - {from: "02:01", to: "04:00", field: soe_pct, trend: falls}
"""


def test_windows_instants_and_changes_are_exact_whatever_the_resolution():
    scenario = load_text(SPIKE, "spike.yaml")
    for resolution in (60, 3600):
        result = run(scenario, resolution)
        assert [o.passed for o in result.outcomes] == [True] * 6, [o.found for o in result.outcomes]


def test_the_end_state_does_not_depend_on_how_often_it_is_sampled():
    scenario = load_text(SPIKE, "spike.yaml")
    fine, coarse = run(scenario, 30), run(scenario, 1800)
    assert len(fine.samples) == 4 * 120 + 1 and len(coarse.samples) == 9
    assert coarse.samples[-1].soe_pct == pytest.approx(fine.samples[-1].soe_pct, abs=1e-6)
    assert [(t.at, t.label) for t in coarse.fired] == [(t.at, t.label) for t in fine.fired]


def test_a_failing_expectation_reports_what_was_found_and_when():
    scenario = load_text(SPIKE.replace("equals: 3000}", "equals: 2000}"), "spike.yaml")
    result = run(scenario)
    first = result.outcomes[0]
    assert not result.passed and not first.passed
    assert first.found == "found 3000 at 01:00"
    assert "FAIL  01:00..01:59:59  power_w.load equals 2000 throughout  -- found 3000 at 01:00" == first.line(
        scenario.label
    )


def test_a_full_day_runs_in_well_under_a_few_seconds():
    import time

    scenario = load_text(
        "title: day\nstart: 2026-07-15T00:00\nexpect:\n  - {from: '00:00', to: '23:59', field: soe_pct, above: 0}\n",
        "day.yaml",
    )
    began = time.process_time()
    result = run(scenario, 60)
    assert time.process_time() - began < 3.0
    assert len(result.samples) == 1441 and result.passed


def test_an_update_walks_its_states_and_rests_the_battery_only_while_installing():
    text = """
title: update
start: 2026-07-15T19:00
duration: 1h
initial: {soe_pct: 90}
events:
  - {at: "+10m", do: firmware_update, check: 1m, download: 4m, install: 10m}
  - {at: "+40m", do: firmware_update, available: false}
expect:
  - {at: "+10m30s", endpoint: /api/system/update/status, field: state, equals: /clear_update_status}
  - {at: "+12m", field: update.state, equals: /download}
  - {at: "+12m", field: power_w.battery, above: 100}
  - {from: "+15m10s", to: "+25m", field: power_w.battery, equals: 0}
  - {from: "+15m10s", to: "+25m", endpoint: /api/system/update/status, field: info.status.0, equals: ignoring}
  - {at: "+26m", field: update.state, equals: /update_succeeded}
  - {at: "+26m", field: power_w.battery, above: 100}
  - {at: "+40m10s", field: update.state, equals: /clear_update_status}
  - {at: "+41m", endpoint: /api/system/update/status, field: state, equals: /update_failed}
  - {at: "+41m", endpoint: /api/system/update/status, field: info.status.0, equals: nonactionable}
"""
    result = run(load_text(text, "update.yaml"))
    assert [o.passed for o in result.outcomes] == [True] * 10, [
        (o.expectation.number, o.found) for o in result.outcomes if not o.passed
    ]


def test_a_firmware_update_event_changes_the_contract_mid_run():
    """docs/examples/firmware-update.yaml (docs/firmware-updates.md shows it): every expectation passes."""
    example = ROOT / "docs" / "examples" / "firmware-update.yaml"
    result = run(load_text(example.read_text("utf-8"), example.name), 60)
    assert [o.passed for o in result.outcomes] == [True] * 10, [o.found for o in result.outcomes]
    assert [t.label for t in result.fired] == ["firmware_update"]


OLD_TO_NEW = """
title: a 1.15.0 gateway updates to 24.4.0
start: 2026-07-15T00:00
duration: 4h
site: {firmware: 1.15.0}
events:
  - {at: "01:00", do: firmware_update, version: 24.4.0, check: 30s, download: 5m, install: 10m, reboot: 2m}
expect:
  - {at: "00:59", endpoint: /api/system/networks, field: 0.network_name, equals: default_gsm}
  - {at: "00:59", endpoint: /api/meters/site, status: 404}
  - {at: "03:00", endpoint: /api/meters/site, field: 0.location, equals: site}
  - {at: "03:00", endpoint: /api/system/networks, status: 404}
"""


def test_expectations_are_judged_by_the_firmware_in_charge_when_they_read():
    """/api/meters/site exists only from 20.49 on, /api/system/networks only on 1.x: each is read, or expected
    gone, by what the firmware in charge then serves."""
    result = run(load_text(OLD_TO_NEW, "old-to-new.yaml"), 600)
    assert [(o.passed, o.found) for o in result.outcomes] == [
        (True, "found HTTP 200 default_gsm"),
        (True, "found HTTP 404"),
        (True, "found HTTP 200 site"),
        (True, "found HTTP 404"),
    ]


@pytest.mark.parametrize(
    "expectation",
    [
        '{at: "03:00", endpoint: /api/system/networks, field: 0.network_name, equals: default_gsm}',
        '{from: "00:30", to: "03:00", endpoint: /api/system/networks, field: 0.network_name, equals: default_gsm}',
    ],
)
def test_reading_a_body_the_firmware_in_charge_no_longer_serves_is_refused_at_load(expectation: str):
    text = OLD_TO_NEW.split("expect:")[0] + f"expect:\n  - {expectation}\n"
    with pytest.raises(ScenarioError, match=r"not served by firmware 24\.4\.0 \(in charge then\)"):
        load_text(text, "old-to-new.yaml")
