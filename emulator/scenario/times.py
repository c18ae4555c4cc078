"""Sim times as scenario authors write them: ``07:15``, ``+2h``, ``2026-07-01T07:15``.

A clock time is the first such local time at or after the scenario's start
(so a day starting at 17:00 reaches ``02:00`` the next night); ``d2 12:00`` is
on the start's next calendar day, as reports print it; ``+2h`` counts from the
start; an ISO time without an offset is the site's local time.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from emulator.durations import parse_duration

DEFAULT_RESOLUTION_S = 60.0
"""Seconds between the samples a scenario run keeps (CSV, plot, window checks): the CLI's default."""

_CLOCK = re.compile(r"^(?:d(\d+) +)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")
__all__ = ["TIME_HINT", "local_label", "parse_duration", "parse_start", "parse_time"]
TIME_HINT = "use a clock time (07:15, or d2 07:15 on the next day), an offset from the start (+2h30m) or an ISO time (2026-07-01T07:15)"


def parse_start(text: object, zone: ZoneInfo) -> float:
    """The scenario's start: an ISO date or date-time; without an offset it is site local time."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError as exc:
        why = "" if str(exc).startswith("Invalid isoformat") else f" ({exc})"  # e.g. day is out of range for month
        raise ValueError(f"{text!r} is not an ISO date or time such as 2026-07-01T00:00{why}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def parse_time(value: object, start: float, zone: ZoneInfo) -> float:
    """A sim instant (POSIX seconds) from any of the three spellings."""
    text = str(value).strip()
    if text.startswith("+"):
        try:
            return start + parse_duration(text[1:])
        except ValueError:
            raise ValueError(f"{text!r} is not a time; {TIME_HINT}") from None
    clock = _CLOCK.match(text)
    if clock:
        return _next_clock_time(clock, text, start, zone)
    try:
        return parse_start(text, zone)
    except ValueError:
        raise ValueError(f"{text!r} is not a time; {TIME_HINT}") from None


def _next_clock_time(match: re.Match[str], text: str, start: float, zone: ZoneInfo) -> float:
    day_number, hour, minute, second = match[1], int(match[2]), int(match[3]), int(match[4] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text!r} is not a clock time (00:00 to 23:59:59)")
    first = datetime.fromtimestamp(start, zone).date()
    if day_number is not None:
        if int(day_number) < 1:
            raise ValueError(f"{text!r}: days count from d1, the start's day")
        return datetime.combine(
            first + timedelta(days=int(day_number) - 1), time(hour, minute, second), zone
        ).timestamp()
    for offset in range(3):  # the start's day, or the next (a DST gap can skip a time once)
        candidate = datetime.combine(first + timedelta(days=offset), time(hour, minute, second), zone).timestamp()
        if candidate >= start:
            return candidate
    raise ValueError(f"{text!r} does not exist after the start")  # pragma: no cover - needs two DST gaps


def local_label(t: float, zone: ZoneInfo, start: float) -> str:
    """``07:15`` on the start's day, ``d2 07:15`` on the next, for reports."""
    moment = datetime.fromtimestamp(t, zone)
    days = (moment.date() - datetime.fromtimestamp(start, zone).date()).days
    clock = moment.strftime("%H:%M:%S" if moment.second else "%H:%M")
    return clock if days == 0 else f"d{days + 1} {clock}"
