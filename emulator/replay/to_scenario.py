"""A recording turned into a scenario: the events it shows, and expectations where they make sense.

What a recording can say about any gateway, emulated or real, is the *discrete* story: when
the grid went and came back, when the mode or reserve changed, when sitemaster stopped, which
endpoints answered what status. Those become events and expectations. Power flows and SOE
depend on a real house's weather and appliances, which the model does not know, so they only
set the initial state and are not expected to match.

Times are the gateway's own clock (each meter reading's ``last_communication_time``), not the
recorder's wall clock, so a recording made against an emulator at 60x speed converts correctly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from emulator.replay.format import Recorded as Response
from emulator.replay.format import Recording, RecordingError

ISLANDED = {"SystemIslandedActive", "SystemTransitionToIsland", "SystemIslandedReady"}
SETTLE_S = 60.0  # transitions take seconds on a real gateway: do not expect a state right at an event


@dataclass(frozen=True)
class Reading:
    at: datetime  # gateway time, site-local
    response: Response


def convert(recording: Recording, *, every_s: float = 60.0, title: str | None = None) -> str:
    """The scenario YAML for ``recording`` (expectations at most every ``every_s`` gateway seconds)."""
    zone = _zone(recording)
    readings = _readings(recording, zone)
    if not readings:
        raise RecordingError(recording.file, None, "no JSON answers to build a scenario from")
    start, end = readings[0].at, readings[-1].at
    events = _events(readings)
    scenario: dict[str, Any] = {
        "title": title or f"Replayed from {recording.file}",
        "description": (
            f"Made by `teg-emulator scenario from-recording` from a recording of firmware {recording.header.firmware} "
            f"({recording.header.recorded_at}): its grid, operation and sitemaster story as events, "
            "and what it answered as expectations."
        ),
        "site": _site(recording, zone),
        "start": start.replace(tzinfo=None).isoformat(timespec="seconds"),
        "duration": f"{max(60, int((end - start).total_seconds()) + 60)}s",
        "initial": _initial(readings),
        "events": events,
        "expect": _expectations(readings, events, every_s),
    }
    return yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=110)


def _zone(recording: Recording) -> ZoneInfo:
    for response in recording.responses:
        if response.path == "/api/site_info" and response.is_json and isinstance(response.body, dict):
            try:
                return ZoneInfo(str(response.body.get("timezone")))
            except (ZoneInfoNotFoundError, ValueError):
                break
    return _zone_of_meter_clock(recording)


def _zone_of_meter_clock(recording: Recording) -> ZoneInfo:
    """No site_info: the fixed offset the meters' timestamps carry (Etc/GMT+7 for -07:00), else UTC."""
    stamp = next((t for t in map(_meter_time, recording.responses) if t is not None), None)
    offset = stamp.utcoffset() if stamp is not None else None
    if offset is None or offset.total_seconds() % 3600:
        return ZoneInfo("UTC")
    hours = int(offset.total_seconds() // 3600)
    return ZoneInfo(f"Etc/GMT{-hours:+d}") if hours else ZoneInfo("UTC")


def _readings(recording: Recording, zone: ZoneInfo) -> list[Reading]:
    """Each answer stamped with the gateway's clock: the latest meter reading's time at or before it."""
    started = datetime.fromisoformat(recording.header.recorded_at.replace("Z", "+00:00"))
    offset = _first_offset(recording, started)  # gateway time minus recorder time, from the last meter reading
    readings = []
    for response in recording.responses:
        stamp = _meter_time(response)
        recorder_time = started + timedelta(seconds=response.t)
        if stamp is not None:
            offset = stamp - recorder_time
        gateway_time = recorder_time + offset
        readings.append(Reading(gateway_time.astimezone(zone).replace(microsecond=0), response))
    return readings


def _first_offset(recording: Recording, started: datetime) -> timedelta:
    """For answers before the first meter reading: that reading's offset (none on a recording without meters)."""
    for response in recording.responses:
        stamp = _meter_time(response)
        if stamp is not None:
            return stamp - (started + timedelta(seconds=response.t))
    return timedelta(0)


def _meter_time(response: Response) -> datetime | None:
    if response.path != "/api/meters/aggregates" or not response.is_json:
        return None
    try:
        return datetime.fromisoformat(str(response.body["site"]["last_communication_time"]))
    except (KeyError, TypeError, ValueError):
        return None


def _site(recording: Recording, zone: ZoneInfo) -> dict[str, Any]:
    site: dict[str, Any] = {"firmware": recording.header.profile, "timezone": zone.key}
    walls = _first_body(recording.responses, "/api/powerwalls")
    if isinstance(walls, dict) and walls.get("powerwalls"):
        site["powerwalls"] = min(len(walls["powerwalls"]), 10)
    return site


def _first_body(responses: Any, path: str) -> Any:
    return next((r.body for r in responses if r.path == path and r.is_json and r.status == 200), None)


def _initial(readings: list[Reading]) -> dict[str, Any]:
    responses = [r.response for r in readings]
    initial: dict[str, Any] = {}
    soe = _first_body(responses, "/api/system_status/soe")
    if isinstance(soe, dict) and isinstance(soe.get("percentage"), (int, float)):
        initial["soe_pct"] = round(float(soe["percentage"]), 2)
    operation = _first_body(responses, "/api/operation")
    if isinstance(operation, dict):
        mode = operation.get("real_mode", operation.get("mode"))
        if mode:
            initial["mode"] = mode
        if isinstance(operation.get("backup_reserve_percent"), (int, float)):
            initial["reserve_pct"] = float(operation["backup_reserve_percent"])
    grid = _first_body(responses, "/api/system_status/grid_status")
    if isinstance(grid, dict):
        initial["grid"] = "down" if grid.get("grid_status") in ISLANDED else "up"
    return initial


def _events(readings: list[Reading]) -> list[dict[str, Any]]:
    """Changes of grid state, operation and sitemaster, in order, each at its first sighting."""
    events: list[dict[str, Any]] = []
    last: dict[str, Any] = {}
    for reading in readings:
        r = reading.response
        if not r.is_json or r.status != 200 or not isinstance(r.body, dict):
            continue
        at = reading.at.replace(tzinfo=None).isoformat(timespec="seconds")
        for key, value, make in _facts(r.path, r.body):
            if key in last and last[key] != value:
                events.append({"at": at, **make(value)})
            last[key] = value
    return events


def _facts(path: str, body: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    if path == "/api/system_status/grid_status" and body.get("grid_status"):
        islanded = body["grid_status"] in ISLANDED
        return [
            (
                "grid",
                islanded,
                lambda down: {"do": "grid_down" if down else "grid_up", "label": "grid " + ("down" if down else "up")},
            )
        ]
    if path == "/api/operation":
        mode = body.get("real_mode", body.get("mode"))
        reserve = body.get("backup_reserve_percent")
        return [
            (
                "operation",
                (mode, reserve),
                lambda v: {"do": "operation", "mode": v[0], "reserve_pct": v[1], "label": f"{v[0]} {v[1]:g} %"},
            )
        ]
    if path == "/api/sitemaster" and isinstance(body.get("running"), bool):
        return [
            ("sitemaster", body["running"], lambda running: {"do": "sitemaster_run" if running else "sitemaster_stop"})
        ]
    return []


def _expectations(readings: list[Reading], events: list[dict[str, Any]], every_s: float) -> list[dict[str, Any]]:
    event_times = [datetime.fromisoformat(e["at"]) for e in events]
    expectations: list[dict[str, Any]] = []
    last_at: dict[str, datetime] = {}
    seen_status: set[tuple[str, int]] = set()
    for reading in readings:
        r, at = reading.response, reading.at.replace(tzinfo=None)
        if r.method != "GET" or not r.path.startswith("/api/"):  # a scenario expects GETs of /api/, not the TEDAPI
            continue
        if any(0 <= (at - t).total_seconds() < SETTLE_S for t in event_times):
            continue
        when = at.isoformat(timespec="seconds")
        if (r.path, r.status) not in seen_status:
            seen_status.add((r.path, r.status))
            expectations.append(
                {"name": f"{r.path} answers {r.status}", "at": when, "endpoint": r.path, "status": r.status}
            )
        if r.path in last_at and (at - last_at[r.path]).total_seconds() < every_s:
            continue
        for field, value in _expected_fields(r):
            last_at[r.path] = at
            expectations.append(
                {
                    "name": f"{r.path} {field} is {json.dumps(value)}",
                    "at": when,
                    "endpoint": r.path,
                    "field": field,
                    "equals": value,
                }
            )
    return expectations


def _expected_fields(r: Response) -> list[tuple[str, Any]]:
    if not r.is_json or r.status != 200 or not isinstance(r.body, dict):
        return []
    if r.path == "/api/system_status/grid_status" and "grid_status" in r.body:
        return [("grid_status", r.body["grid_status"])]
    if r.path == "/api/operation":
        key = "real_mode" if "real_mode" in r.body else "mode"
        return [(k, r.body[k]) for k in (key, "backup_reserve_percent") if k in r.body]
    if r.path == "/api/sitemaster" and isinstance(r.body.get("running"), bool):
        return [("running", r.body["running"])]
    return []
