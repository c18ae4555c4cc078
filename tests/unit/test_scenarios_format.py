"""The scenario file format: what loads, what does not, and errors that name the file, line and field."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from emulator import DEFAULT_FIRMWARE, contract
from emulator.firmware import PROFILES
from emulator.model import OPERATION_MODES
from emulator.scenario import ScenarioError, load_text
from emulator.scenario.events import EVENT_KINDS
from tests.support.paths import ROOT

LA = ZoneInfo("America/Los_Angeles")
HEAD = "title: t\nstart: 2026-07-15T06:00\n"


def local(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=LA).timestamp()


def error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "my.yaml")
    return caught.value


def test_a_minimal_file_loads_with_defaults():
    s = load_text(HEAD, "plain.yaml")
    assert s.name == "plain" and s.firmware is None and s.run_firmware == DEFAULT_FIRMWARE
    assert s.start == local("2026-07-15T06:00") and s.end - s.start == 86_400
    assert s.operation == s.operation.__class__("self_consumption", 20.0) and s.grid_connected


def test_times_are_never_yaml_sexagesimals_and_clock_times_come_after_the_start():
    s = load_text(
        HEAD
        + "events:\n  - {at: 22:05, do: grid_down}\n  - {at: 7:15, do: grid_up}\n  - {at: +90m, do: sitemaster_stop}\n"
        "  - {at: 2026-07-15T08:00, do: sitemaster_run}\n  - {at: 05:00, do: login}\n",
        "t.yaml",
    )
    assert [e.at for e in s.events] == [
        local("2026-07-15T07:15"),
        local("2026-07-15T07:30"),
        local("2026-07-15T08:00"),
        local("2026-07-15T22:05"),
        local("2026-07-16T05:00"),
    ]
    assert [e.kind for e in s.events] == ["grid_up", "sitemaster_stop", "sitemaster_run", "grid_down", "login"]


def test_a_day_number_names_a_later_day_as_reports_print_it():
    s = load_text(
        HEAD
        + "duration: 3d\nevents:\n  - {at: d1 07:00, do: grid_down}\n  - {at: d2 12:00, do: grid_up}\n  - {at: d3 06:00, do: login}\n",
        "t.yaml",
    )
    assert [e.at for e in s.events] == [local("2026-07-15T07:00"), local("2026-07-16T12:00"), local("2026-07-17T06:00")]
    assert [s.label(e.at) for e in s.events] == ["07:00", "d2 12:00", "d3 06:00"]


def test_an_iso_time_with_an_offset_is_taken_as_given():
    s = load_text(HEAD + "events:\n  - {at: '2026-07-15T14:00:00+00:00', do: grid_down}\n", "t.yaml")
    assert s.events[0].at == datetime(2026, 7, 15, 14, tzinfo=ZoneInfo("UTC")).timestamp()


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("title: t\nstart: 2026-07-15\nevents:\n  - at: '18:30'\n    do: [grid_down\n", 6, "", "YAML syntax error"),
        (
            "title: t\nstart: 2026-07-15\nsite:\n  powerwalls: two\n",
            4,
            "site.powerwalls",
            "'two' is not of type 'integer'",
        ),
        (
            HEAD + "events:\n  - at: '18:30'\n    do: grid_dwn\n",
            5,
            "events[0].do",
            "'grid_dwn' is not one of: grid_down",
        ),
        (
            HEAD + "events:\n  - at: '18:30'\n    do: grid_down\n    duraton: 2h\n",
            6,
            "events[0].duraton",
            "unknown key (this event takes: duration)",
        ),
        (HEAD + "events:\n  - at: '25:30'\n    do: grid_up\n", 4, "events[0].at", "'25:30' is not a clock time"),
        (
            HEAD + "events:\n  - at: soon\n    do: grid_up\n",
            4,
            "events[0].at",
            "'soon' is not a time; use a clock time",
        ),
        (HEAD + "duration: 2h\nevents:\n  - {at: '+3h', do: grid_up}\n", 5, "events[0].at", "outside the run"),
        (
            HEAD + "events:\n  - {at: '+1h', do: load_spike, load_w: 3000}\n",
            4,
            "events[0]",
            "missing required key 'duration'",
        ),
        (HEAD + "events:\n  - {at: '+1h', do: operation}\n", 4, "events[0]", "needs mode, reserve_pct or both"),
        (
            HEAD + "expect:\n  - at: '07:00'\n    field: power_w.batery\n    above: 0\n",
            5,
            "expect[0].field",
            "unknown field 'power_w.batery' in GET /_emulator/state; known at power_w: battery, load, site, solar",
        ),
        (
            HEAD
            + "expect:\n  - at: '07:00'\n    endpoint: /api/meters/aggregates\n    field: battery.power\n    above: 0\n",
            6,
            "expect[0].field",
            "unknown field 'battery.power' in the body of GET /api/meters/aggregates",
        ),
        (
            HEAD + "expect:\n  - at: '07:00'\n    endpoint: /api/nowhere\n    status: 200\n",
            5,
            "expect[0].endpoint",
            "not an endpoint",
        ),
        (
            HEAD + "expect:\n  - at: '07:00'\n    endpoint: /api/sitemaster/run\n    status: 202\n",
            5,
            "expect[0].endpoint",
            "changes the gateway",
        ),
        (
            HEAD
            + "site: {firmware: 24.4.0}\nexpect:\n  - {at: '07:00', endpoint: /api/site_info/grid_codes, status: 200}\n",
            5,
            "expect[0].endpoint",
            "not served by firmware 24.4.0",
        ),
        (
            HEAD + "expect:\n  - at: '07:00'\n    field: grid.status\n    below: 3\n",
            6,
            "expect[0].below",
            "grid.status holds a string; below needs a number",
        ),
        (
            HEAD + "expect:\n  - at: '07:00'\n    field: blackout\n    equals: 0\n",
            6,
            "expect[0].equals",
            "blackout holds a boolean, never 0",
        ),
        (
            HEAD + "expect:\n  - at: '07:00'\n    field: soe_pct\n    trend: rises\n",
            6,
            "expect[0].trend",
            "give from and to",
        ),
        (
            HEAD + "expect:\n  - from: '09:00'\n    to: '08:00'\n    field: soe_pct\n    trend: rises\n",
            5,
            "expect[0].to",
            "is not after from",
        ),
        (
            HEAD + "expect:\n  - {at: '07:00', from: '07:00', to: '08:00', field: soe_pct, above: 1}\n",
            4,
            "expect[0]",
            "either at",
        ),
        (HEAD + "expect:\n  - {at: '07:00', field: soe_pct}\n", 4, "expect[0]", "says nothing to check"),
        (HEAD + "expect:\n  - {at: '07:00', status: 200}\n", 4, "expect[0].status", "needs an endpoint"),
        (HEAD + "expect:\n  - {at: '07:00', above: 3}\n", 4, "expect[0]", "which field?"),
        (
            HEAD + "site: {firmware: 24.4.0}\nevents:\n  - {at: '+1h', do: firmware_update, version: 21.44.1}\n",
            5,
            "events[0]",
            'firmware_update to 21.44.1: firmware 21.44.1 is older than the running 24.4.0: a downgrade needs "allow_downgrade": true',
        ),
        (
            HEAD + "site: {firmware: 21.44.1}\nevents:\n  - {at: '+1h', do: firmware_update, version: 25.10.1}\n",
            5,
            "events[0]",
            "is for Powerwall 3 hardware and this site is Powerwall 2",
        ),
        (
            HEAD
            + "site: {firmware: 1.15.0}\nevents:\n"
            + "  - {at: '+1h', do: firmware_update, version: 21.44.1}\n"
            + "  - {at: '+1h10m', do: firmware_update, version: 24.4.0}\n",
            6,
            "events[1]",
            "firmware_update to 24.4.0: the update before it is under way until 07:17:35",
        ),
        (
            HEAD + "events:\n  - {at: '+1h', do: firmware_update, version: 30.1.1}\n",
            4,
            "events[0].version",
            "is not one of",
        ),
        (
            HEAD + "events:\n  - {at: '+1h', do: firmware_update, reboot: 2m}\n",
            4,
            "events[0]",
            "version",
        ),
        (HEAD + "site:\n  timezone: Mars/Olympus\n", 4, "site.timezone", "unknown time zone"),
        ("title: t\nstart: yesterday\n", 2, "start", "is not an ISO date"),
        ("title: t\nstart: 2026-02-30T00:00\n", 2, "start", "(day is out of range for month)"),
        ("title: t\nstart: !!timestamp 2026-02-28T00:00\n", 2, "start", "the !!timestamp tag is not read here"),
        ("title: t\nstart: !!timestamp 2026-02-30T00:00:00\n", 2, "start", "write times as plain text"),
        (HEAD + "duration: !!binary aGk=\n", 3, "duration", "the !!binary tag is not read here"),
        (HEAD + "duration: 0x_\n", 3, "duration", "'0x_' is not a whole number"),
        (HEAD + "duration: !!float abc\n", 3, "duration", "'abc' is not a number"),
        (HEAD + "site: {!!int x: 1}\n", 3, "site.x", "'x' is not a whole number"),
        ("start: 2026-07-15\n", 1, "", "missing required key 'title'"),
        (HEAD + "title: again\n", 3, "title", "duplicate key"),
        ("- just\n- a list\n", 1, "", "a scenario is a YAML mapping"),
        ("", 1, "", "the file is empty"),
    ],
)
def test_bad_files_are_refused_with_file_line_and_field(text, line, field, problem):
    err = error(text)
    assert (err.file, err.line, err.field) == ("my.yaml", line, field), str(err)
    assert problem in err.problem, str(err)
    assert str(err).startswith(f"my.yaml:{line}: ")


def test_a_long_plain_scenario_loads_because_only_what_aliases_add_counts_against_their_budget():
    """5,000 events (~150 KB, about 20,000 YAML values) once hit the alias budget, with no alias in the file."""
    events = "".join(f"  - {{at: +{i}s, do: grid_{'down' if i % 2 else 'up'}}}\n" for i in range(5_000))
    s = load_text(HEAD + "events:\n" + events, "long.yaml")
    assert len(s.events) == 5_000


def test_aliases_may_add_values_up_to_their_budget_and_not_past_it():
    def aliased(times: int) -> str:  # a 300-value list, then `times` aliases of it: 301 values added by each
        return HEAD + "x: &many [" + ", ".join(["1"] * 300) + "]\ny: [" + ", ".join(["*many"] * times) + "]\n"

    assert "unknown key" in error(aliased(60)).problem  # 18,060 added: within the budget, so the schema speaks
    assert "aliases add more than 20000 values" in error(aliased(70)).problem  # 21,070 added
    small = HEAD + "events:\n  - &e {at: +1h, do: grid_down}\n  - *e\n"
    assert len(load_text(small, "small.yaml").events) == 2


def test_the_schema_names_what_the_code_knows():
    schema = json.loads((contract.schemas_dir() / "scenario.json").read_text())
    defs = schema["$defs"]
    assert set(defs["firmware"]["enum"]) == set(PROFILES)
    assert tuple(defs["mode"]["enum"]) == OPERATION_MODES
    assert tuple(defs["event"]["properties"]["do"]["enum"]) == EVENT_KINDS
    assert [branch["if"]["properties"]["do"]["const"] for branch in defs["event"]["allOf"]] == list(EVENT_KINDS)


def test_the_documented_scenario_loads_and_passes_as_written():
    """docs/scenarios.md includes docs/examples/evening-outage.yaml: it loads and every expectation passes."""

    from emulator.runner.engine import run

    example = ROOT / "docs" / "examples" / "evening-outage.yaml"
    result = run(load_text(example.read_text("utf-8"), example.name), resolution_s=300)
    assert len(result.outcomes) == 4 and result.passed, [o.found for o in result.outcomes]
