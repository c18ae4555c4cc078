"""Durations as people write them, read the same way in every flag and file.

``90`` (seconds), ``500ms``, ``45s``, ``30m``, ``1h30m``, ``1h 30m``, ``1.5h``,
``2d``: one parser for `record --duration`, scenario times and event lengths,
so the same text never means two things (or is refused by one and read by the other).
"""

from __future__ import annotations

import re

UNITS_S = {"d": 86_400.0, "h": 3_600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)", re.IGNORECASE)
HINT = "use e.g. 500ms, 90s, 30m, 1h30m, 1h 30m or 2d"


def parse_duration(value: object) -> float:
    """Seconds (>= 0) from a number or a text such as ``1h 30m``; ValueError with a hint otherwise.

    Units go from the largest to the smallest, each at most once (``30m1h`` is a slip, not 90 minutes).
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration ({HINT})")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip()
        try:
            seconds = float(text)
        except ValueError:
            seconds = _from_parts(text, value)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        raise ValueError(f"{value!r} is not a duration ({HINT})")
    return seconds


def _from_parts(text: str, value: object) -> float:
    parts = list(_PART.finditer(text))
    covered = "".join(m.group(0) for m in parts)
    units = [m.group(2).lower() for m in parts]
    order = list(UNITS_S)
    if (
        not parts
        or re.sub(r"\s+", "", covered) != re.sub(r"\s+", "", text)
        or units != sorted(set(units), key=order.index)
    ):
        raise ValueError(f"{value!r} is not a duration ({HINT})")
    return sum(float(m.group(1)) * UNITS_S[m.group(2).lower()] for m in parts)


def format_duration(seconds: float) -> str:
    """Seconds as this parser reads them back, largest units first: 86400 -> ``1d``, 5400 -> ``1h30m``, 0.5 -> ``500ms``."""
    if seconds == 0:
        return "0s"
    parts, left = [], round(seconds * 1000)  # whole milliseconds: the smallest unit
    for unit, size_s in UNITS_S.items():
        count, left = divmod(left, round(size_s * 1000))
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
