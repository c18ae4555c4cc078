"""A scenario, parsed: the site, the start, the initial state, events and expectations.

Plain frozen dataclasses with times resolved to POSIX sim seconds; built by
:mod:`emulator.scenario.load`, run by :mod:`emulator.runner.engine` or
served live through the gateway's timers (:func:`emulator.scenario.events.gateway_settings`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from emulator.device.defaults import DEFAULT_FIRMWARE
from emulator.device.snapshot import Operation
from emulator.model import SiteConfig
from emulator.scenario.fields import FieldInfo
from emulator.scenario.times import local_label

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Check:
    """equals / within / below / above: every given part must hold."""

    equals: Any = None
    has_equals: bool = False
    within: tuple[float, float] | None = None
    below: float | None = None
    above: float | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Check | None:
        keys = {"equals", "within", "below", "above"} & set(data)
        if not keys:
            return None
        within = data.get("within")
        return cls(
            data.get("equals"),
            "equals" in data,
            tuple(within) if within else None,
            data.get("below"),
            data.get("above"),
        )

    def passes(self, value: Any) -> bool:
        if self.has_equals and not _equal(value, self.equals):
            return False
        if not (self.within or self.below is not None or self.above is not None):
            return True
        if not _is_number(value):
            return False
        if self.within is not None and not self.within[0] - TOLERANCE <= value <= self.within[1] + TOLERANCE:
            return False
        if self.below is not None and not value < self.below:
            return False
        return self.above is None or value > self.above

    def describe(self) -> str:
        parts = []
        if self.has_equals:
            parts.append(f"equals {show(self.equals)}")
        if self.within is not None:
            parts.append(f"within [{show(self.within[0])}, {show(self.within[1])}]")
        if self.below is not None:
            parts.append(f"below {show(self.below)}")
        if self.above is not None:
            parts.append(f"above {show(self.above)}")
        return " and ".join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _equal(value: Any, expected: Any) -> bool:
    """Numbers within TOLERANCE; anything else of the same type and value (true is never 1)."""
    if _is_number(value) and _is_number(expected):
        return math.isclose(value, expected, rel_tol=0.0, abs_tol=TOLERANCE)
    return type(value) is type(expected) and value == expected


def show(value: Any) -> str:
    """A value as a person reads it in a report: 12.3, true, "text"."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float):
        value += 0.0  # no "-0"
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


@dataclass(frozen=True)
class Event:
    at: float
    kind: str
    params: dict[str, Any]
    label: str
    line: int | None = None


@dataclass(frozen=True)
class Expectation:
    """What must hold: at an instant, throughout a window, or between a window's ends."""

    number: int  # 1-based, in file order
    line: int | None
    name: str | None
    at: float | None
    window: tuple[float, float] | None
    field_text: str | None
    field: FieldInfo | None
    endpoint: str | None = None
    status: int | None = None
    check: Check | None = None
    trend: str | None = None  # "rises" | "falls"
    change: Check | None = None

    @property
    def source(self) -> str:
        return self.endpoint or "/_emulator/state"

    def times(self) -> tuple[float, ...]:
        if self.at is not None:
            return (self.at,)
        assert self.window is not None  # the loader gives every expectation an instant or a window
        return self.window


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    title: str
    description: str
    firmware: str | None  # None: runs on any firmware
    config: SiteConfig
    start: float
    end: float
    soe_pct: float
    operation: Operation
    grid_connected: bool
    events: tuple[Event, ...] = ()
    expectations: tuple[Expectation, ...] = field(default=())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone)

    @property
    def run_firmware(self) -> str:
        return self.firmware or DEFAULT_FIRMWARE

    def firmware_over(self, chosen: str | None) -> str | None:
        """The one rule for a scenario's firmware: it wins over the default; choosing another is a mistake.

        ``chosen``: the firmware the user asked for, or the one a running gateway serves (None: not chosen).
        """
        if self.firmware and chosen not in (None, self.firmware):
            raise ValueError(f"scenario {self.name!r} needs firmware {self.firmware}, not {chosen}")
        return self.firmware or chosen

    def label(self, t: float) -> str:
        return local_label(t, self.zone, self.start)
