"""Loading a scenario file: schema first, then meaning, every error pointing at its line.

Order of checks: YAML syntax, the JSON Schema in schemas/scenario.json
(shape, types, event kinds, unknown keys), then what a schema cannot say:
times that parse and fall inside the run, fields that exist in the body an
expectation reads, checks that suit the field's type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator import contract
from emulator.device.defaults import START_SOE_PCT
from emulator.device.snapshot import Operation
from emulator.model import SCE_TOU, SiteConfig, Tariff, TariffPeriod
from emulator.model.tariff import OFF_PEAK
from emulator.scenario import fields
from emulator.scenario.events import firmware_changes, in_charge, update_problem
from emulator.scenario.source import Path_, ScenarioError, Source
from emulator.scenario.spec import Check, Event, Expectation, Scenario, show
from emulator.scenario.times import parse_duration, parse_start, parse_time

if TYPE_CHECKING:
    from jsonschema import ValidationError

SCHEMA = "scenario.json"
DEFAULT_DURATION_S = 86_400.0
FLAT = Tariff("flat", (TariffPeriod(0, 24, OFF_PEAK, 0.30),))


def load_file(path: str | Path, shown_as: str | None = None) -> Scenario:
    from emulator.scenario.yaml_reader import read  # PyYAML only where a file is read (start-up: see there)

    return build(read(path, shown_as), Path(path).stem)


def load_text(text: str, file: str = "<scenario>") -> Scenario:
    from emulator.scenario.yaml_reader import parse

    return build(parse(text, file), Path(file).stem)


def build(src: Source, name: str) -> Scenario:
    check_schema(src)
    data: dict[str, Any] = src.data
    site = data.get("site", {})
    zone = _zone(src, site.get("timezone", "America/Los_Angeles"))
    start = _parse(src, ("start",), lambda: parse_start(data["start"], zone))
    duration = _parse(src, ("duration",), lambda: parse_duration(data.get("duration", DEFAULT_DURATION_S)))
    if duration <= 0:
        raise src.error(("duration",), "must be longer than zero")
    initial = data.get("initial", {})
    scenario = Scenario(
        name=name,
        file=src.file,
        title=data["title"],
        description=str(data.get("description", "")).strip(),
        firmware=site.get("firmware"),
        config=_parse(src, ("site",), lambda: _site_config(src, site)),
        start=start,
        end=start + duration,
        soe_pct=float(initial.get("soe_pct", START_SOE_PCT)),
        operation=Operation(initial.get("mode", "self_consumption"), float(initial.get("reserve_pct", 20.0))),
        grid_connected=initial.get("grid", "up") == "up",
    )
    events = tuple(_event(src, scenario, i, e) for i, e in enumerate(data.get("events", [])))
    ordered = tuple(sorted(events, key=lambda e: e.at))  # stable: same-instant events keep file order
    firmware = _Firmware(contract.facts_for(scenario.run_firmware), ordered, scenario.label)
    expectations = tuple(_expectation(src, scenario, firmware, i, e) for i, e in enumerate(data.get("expect", [])))
    scenario = replace(scenario, events=ordered, expectations=expectations)
    if scenario.firmware is not None:  # its updates can be judged now (else: when it is installed on a gateway)
        problem = update_problem(scenario, contract.facts_for(scenario.firmware))
        if problem is not None:
            event, why = problem
            index = next(i for i in range(len(data["events"])) if src.line(("events", i)) == event.line)
            to = f" to {event.params['version']}" if "version" in event.params else ""
            raise src.error(("events", index), f"firmware_update{to}: {why}")
    return scenario


# -- the schema ----------------------------------------------------------------------
def check_schema(src: Source) -> None:
    if not isinstance(src.data, dict):
        raise ScenarioError(
            src.file, src.line(()), "", "a scenario is a YAML mapping (title:, start:, site:, events:, expect: ...)"
        )
    errors = list(contract.validator(SCHEMA).iter_errors(src.data))
    if not errors:
        return
    located = [_locate(src, _deepest(e)) for e in errors]
    path, problem = min(located, key=lambda item: src.line(item[0]) or 0)
    raise src.error(path, problem)


def _deepest(error: ValidationError) -> ValidationError:
    """For a oneOf/anyOf failure, the branch error that got furthest into the value: the one meant."""
    if not error.context:
        return error
    from jsonschema.exceptions import best_match  # imported here for start-up speed: only a bad file needs it

    depth = max(len(c.absolute_path) for c in error.context)
    best = best_match([c for c in error.context if len(c.absolute_path) == depth])
    return best if best is not None else error


def _locate(src: Source, error: ValidationError) -> tuple[Path_, str]:
    """The path a person should look at and the problem in their words."""
    path: Path_ = tuple(error.absolute_path)
    instance, kind = error.instance, error.validator
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, Mapping) else set()
        extra = sorted(set(instance) - allowed)
        what = (
            f"(this event takes: {', '.join(sorted(allowed - {'at', 'do', 'label'})) or 'nothing but at and label'})"
            if {"at", "do"} <= allowed
            else f"(allowed: {', '.join(sorted(allowed))})"
        )
        return (*path, extra[0]), f"unknown key {what}"
    if kind == "required":
        missing = error.message.split("'")[1]
        return path, f"missing required key {missing!r}"
    if kind == "enum":
        choices = error.validator_value if isinstance(error.validator_value, list) else []
        return path, f"{instance!r} is not one of: {', '.join(show(v) for v in choices)}"
    if kind == "pattern" and path and path[-1] == "field":
        return path, f"{instance!r} is not a dotted field path such as power_w.battery"
    return path, error.message


# -- the parts -------------------------------------------------------------------------
def _parse(src: Source, path: Path_, parse_: Any) -> Any:
    try:
        return parse_()
    except ValueError as exc:
        raise src.error(path, str(exc)) from None


def _zone(src: Source, name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise src.error(
            ("site", "timezone"), f"unknown time zone {name!r} (use an IANA name such as America/Los_Angeles)"
        ) from None


def _site_config(src: Source, site: dict[str, Any]) -> SiteConfig:
    location = site.get("location", {})
    extra: dict[str, Any] = {
        k: site[k]
        for k in ("powerwalls", "pv_rating_w", "timezone", "cloudiness", "base_load_w", "load_scale", "seed")
        if k in site
    }
    if location:
        extra.update(latitude=location["latitude"], longitude=location["longitude"])
    return SiteConfig(tariff=_tariff(src, site.get("tariff", "sce_tou")), **extra)


def _tariff(src: Source, value: Any) -> Tariff:
    if value == "sce_tou":
        return SCE_TOU
    if value == "flat":
        return FLAT
    periods = []
    for i, p in enumerate(value["periods"]):
        hours = []
        for key in ("from", "to"):
            h, m = (int(x) for x in p[key].split(":"))
            if h > 24 or m > 59 or h * 60 + m > 24 * 60:
                raise src.error(("site", "tariff", "periods", i, key), f"{p[key]!r} is not a time of day")
            hours.append(h + m / 60.0)
        periods.append(TariffPeriod(hours[0], hours[1], p["period"], float(p.get("price_per_kwh", 0.0))))
    return Tariff(value.get("name", "custom"), tuple(periods))


def _time(src: Source, scenario: Scenario, path: Path_, value: Any) -> float:
    t: float = _parse(src, path, lambda: parse_time(value, scenario.start, scenario.zone))
    if not scenario.start <= t <= scenario.end:
        span = f"{scenario.label(scenario.start)} to {scenario.label(scenario.end)}"
        raise src.error(path, f"{value} is outside the run ({span}); lengthen duration or move it")
    return t


def _event(src: Source, scenario: Scenario, i: int, data: dict[str, Any]) -> Event:
    at = _time(src, scenario, ("events", i, "at"), data["at"])
    params = {k: v for k, v in data.items() if k not in ("at", "do", "label")}
    for key in ("duration", "check", "download", "install", "reboot"):
        if key in params:
            params[f"{key}_s"] = _parse(
                src, ("events", i, key), lambda key=key: parse_duration(params.pop(key))
            )  # bind this key, not the loop's last
    if data["do"] == "operation" and not {"mode", "reserve_pct"} & set(params):
        raise src.error(("events", i), "an operation event needs mode, reserve_pct or both")
    return Event(at, data["do"], params, data.get("label", data["do"]), src.line(("events", i)))


class _Firmware:
    """Which firmware is in charge when: the start's, then each firmware_update's from its reboot on. An
    expectation is judged against the firmware in charge while it reads, as a client would find it."""

    def __init__(self, start: contract.FirmwareFacts, events: tuple[Event, ...], label: Callable[[float], str]) -> None:
        self.start = start
        self.changes = firmware_changes(events, start, label)[0]
        self.ever = [start.version, *(change.target.version for change in self.changes)]

    def between(self, begin: float, end: float) -> list[str]:
        return in_charge(self.start, self.changes, begin, end)


def _expectation(src: Source, scenario: Scenario, firmware: _Firmware, i: int, data: dict[str, Any]) -> Expectation:
    here: Path_ = ("expect", i)
    at, window = _when(src, scenario, here, data)
    check, change = Check.from_data(data), Check.from_data(data["change"]) if "change" in data else None
    endpoint, status, trend = data.get("endpoint"), data.get("status"), data.get("trend")
    if status is not None and endpoint is None:
        raise src.error((*here, "status"), "status is an HTTP status: it needs an endpoint")
    if not (check or change or trend or status is not None):
        raise src.error(here, "says nothing to check: give equals, within, below, above, trend, change or status")
    if (trend or change) and window is None:
        raise src.error(
            (*here, "trend" if trend else "change"), "trend and change compare a window's ends: give from and to"
        )
    begin, end = (at, at) if at is not None else window or (scenario.start, scenario.end)
    info = _field(src, firmware.between(begin, end), firmware.ever, here, data, needed=bool(check or change or trend))
    if info is not None:
        _check_types(src, here, data, info)
    return Expectation(
        i + 1,
        src.line(here),
        data.get("name"),
        at,
        window,
        data.get("field"),
        info,
        endpoint,
        status,
        check,
        trend,
        change,
    )


def _check_types(src: Source, here: Path_, data: dict[str, Any], info: fields.FieldInfo) -> None:
    """A check that can never hold for the field's type is an error now, not a FAIL later."""
    kind = "/".join(sorted(info.types))
    if "equals" in data and not info.accepts(data["equals"]):
        raise src.error((*here, "equals"), f"{data['field']} holds a {kind}, never {show(data['equals'])}")
    numeric = [k for k in ("within", "below", "above", "trend", "change") if k in data]
    if numeric and not info.numeric:
        raise src.error((*here, numeric[0]), f"{data['field']} holds a {kind}; {numeric[0]} needs a number")


def _when(
    src: Source, scenario: Scenario, here: Path_, data: dict[str, Any]
) -> tuple[float | None, tuple[float, float] | None]:
    has_at, has_window = "at" in data, "from" in data or "to" in data
    if has_at == has_window:
        raise src.error(here, "give either at (an instant) or from and to (a window)")
    if has_at:
        return _time(src, scenario, (*here, "at"), data["at"]), None
    for key in ("from", "to"):
        if key not in data:
            raise src.error(here, f"a window needs both from and to; {key} is missing")
    begin = _time(src, scenario, (*here, "from"), data["from"])
    end = _time(src, scenario, (*here, "to"), data["to"])
    if end <= begin:
        raise src.error((*here, "to"), f"{data['to']} is not after from ({data['from']})")
    return None, (begin, end)


def _field(
    src: Source, in_charge: list[str], ever: list[str], here: Path_, data: dict[str, Any], needed: bool
) -> fields.FieldInfo | None:
    endpoint = data.get("endpoint")
    if endpoint is not None:
        reads = "field" in data
        schema = _parse(
            src, (*here, "endpoint"), lambda: fields.endpoint_schema(endpoint, in_charge, body=reads, ever=ever)
        )
        where = f"the body of GET {endpoint}"
    else:
        schema, where = fields.STATE_SCHEMA, "GET /_emulator/state"
    if "field" not in data:
        if needed:
            raise src.error(here, f"which field? give field: a dotted path into {where}")
        return None
    if schema is None:
        raise src.error((*here, "field"), f"GET {endpoint} answers no JSON body; expect its status instead")
    found: fields.FieldInfo | None = _parse(
        src, (*here, "field"), lambda: fields.resolve_field(schema, data["field"], where)
    )
    return found
