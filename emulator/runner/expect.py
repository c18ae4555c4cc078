"""Evaluating expectations against what was read during a run, and saying what was found.

Three kinds: at an instant (the check holds then), throughout a window (it
holds at every sample inside and at both ends), and between a window's ends
(``trend`` rises/falls, ``change`` tests end minus start, e.g. Wh imported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from emulator.scenario.fields import MISSING, read
from emulator.scenario.spec import Expectation, show

Readings = dict[tuple[float, str], tuple[int, Any]]  # (instant, source) -> (HTTP status, body)
Label = Callable[[float], str]


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    passed: bool
    found: str

    def line(self, label: Label) -> str:
        e = self.expectation
        return f"{'PASS' if self.passed else 'FAIL'}  {describe(e, label)}  -- {self.found}"


def describe(e: Expectation, label: Label) -> str:
    when = label(e.at) if e.at is not None else "..".join(label(t) for t in e.times())
    what = f"GET {e.endpoint}" if e.endpoint else ""
    if e.field_text:
        what = f"{what} {e.field_text}".strip()
    parts = []
    if e.status is not None:
        parts.append(f"status {e.status}")
    if e.check is not None:
        parts.append(e.check.describe() + (" throughout" if e.window else ""))
    if e.trend:
        parts.append(e.trend)
    if e.change is not None:
        parts.append(f"change {e.change.describe()}")
    title = f"{e.name}: " if e.name else ""
    return f"{title}{when}  {what} {', '.join(parts)}"


def instants_needed(expectations: Iterable[Expectation], samples: list[float]) -> dict[float, set[str]]:
    """For each instant, which bodies must be read then (``/_emulator/state`` or an /api/ path)."""
    needed: dict[float, set[str]] = {}
    for e in expectations:
        for t in _instants(e, samples):
            needed.setdefault(t, set()).add(e.source)
    return needed


def _instants(e: Expectation, samples: list[float]) -> list[float]:
    if e.at is not None:
        return [e.at]
    begin, end = e.times()
    if e.check is None and e.status is None:
        return [begin, end]
    return [begin, *(t for t in samples if begin < t < end), end]


def _value(e: Expectation, reading: tuple[int, Any]) -> tuple[int, Any]:
    status, body = reading
    if e.field is None:
        return status, MISSING
    return status, read(body, e.field.parts) if body is not None else MISSING


def _holds(e: Expectation, status: int, value: Any) -> bool:
    if e.status is not None and status != e.status:
        return False
    return e.check is None or (value is not MISSING and e.check.passes(value))


def _found(e: Expectation, status: int, value: Any) -> str:
    parts = []
    if e.endpoint:
        parts.append(f"HTTP {status}")
    if e.field is not None:
        parts.append("absent" if value is MISSING else show(value))
    return " ".join(parts)


def evaluate(e: Expectation, readings: Readings, samples: list[float], label: Label) -> Outcome:
    times = _instants(e, samples)
    values = [(t, *_value(e, readings[(t, e.source)])) for t in times]
    if e.at is not None:
        t, status, value = values[0]
        return Outcome(e, _holds(e, status, value), f"found {_found(e, status, value)}")
    if e.check is not None or e.status is not None:
        bad = next(((t, s, v) for t, s, v in values if not _holds(e, s, v)), None)
        if bad is not None:
            return Outcome(e, False, f"found {_found(e, bad[1], bad[2])} at {label(bad[0])}")
        if not (e.trend or e.change):
            return Outcome(e, True, f"found {_spread(e, values)} over {len(values)} readings")
    return _compare_ends(e, values)


def _spread(e: Expectation, values: list[tuple[float, int, Any]]) -> str:
    seen = [v for _, _, v in values]
    if e.field is not None and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen):
        return f"{show(min(seen))} to {show(max(seen))}"
    distinct = sorted({_found(e, s, v) for _, s, v in values})
    return "always " + distinct[0] if len(distinct) == 1 else ", ".join(distinct)


def _compare_ends(e: Expectation, values: list[tuple[float, int, Any]]) -> Outcome:
    """trend and change: the value at the window's end against the value at its start."""
    (_, s0, first), (_, s1, last) = values[0], values[-1]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (first, last)):
        return Outcome(e, False, f"found {_found(e, s0, first)} .. {_found(e, s1, last)}: not two numbers")
    delta = last - first
    ok = True
    if e.trend == "rises":
        ok = delta > 0
    elif e.trend == "falls":
        ok = delta < 0
    if e.change is not None:
        ok = ok and e.change.passes(delta)
    return Outcome(e, ok, f"change {delta:+.6g} ({show(first)} -> {show(last)})")
