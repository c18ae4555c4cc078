"""Bounded numbers as people type them, read the same way by every flag and option.

One parser for `serve --soe`, `record --interval`, `verify --timeout`, `--workers` and every
other numeric flag or option, so the same text is never accepted by one and refused by
another, and the refusal reads the same everywhere: ``'x' is not a number``,
``'1.5' is not a whole number``, ``101 must be between 0 and 100``. The parsers raise
ValueError; the CLI turns that into argparse's one-line error (exit 2), and
:class:`emulator.serving.options.RunOptions` uses the same parsers for its fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

N = TypeVar("N", int, float)


def number(low: float, high: float) -> Callable[[str], float]:
    """A parser for a real number from ``low`` to ``high`` (NaN and the infinities are refused)."""
    return _bounded(float, "number", low, high)


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """A parser for a whole number from ``low`` to ``high``."""
    return _bounded(int, "whole number", low, high)


def _bounded(convert: Callable[[str], N], kind: str, low: N, high: N) -> Callable[[str], N]:
    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a {kind}") from None
        if not low <= value <= high:  # also NaN, which compares false with everything
            raise ValueError(f"{text} must be between {_shown(low)} and {_shown(high)}")
        return value

    return parse


def _shown(bound: float) -> str:
    """A bound as a user reads it: 0.05, 86400, 2147483647 (not 2.14748e+09, which ``:g`` makes of a large int)."""
    return str(bound) if isinstance(bound, int) else f"{bound:g}"


port = whole_number(0, 65535)
"""A TCP port: 0 (a free one) to 65535 (`--port`, and `$PORT` where a StatefulSet sets it)."""


_NEGATIVE_ZERO = re.compile(r"-0\.0(?![0-9eE])")
# json.dumps with these options makes a new encoder per call; one made once encodes the same text (~2 us less).
_COMPACT = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def json_text(value: Any) -> str:
    """Compact JSON as a gateway writes it, and never ``-0.0``.

    IEEE floats keep a sign on zero (``0.0 * -1``, ``round(-0.0001, 1)``, a request's ``-1e-400``),
    and ``json`` writes it: ``{"percentage": -0.0}`` reads as a negative charge, and no gateway
    sends one. The check is one scan of the text; the rare body holding a negative zero is
    written again with each one made ``0.0``.
    """
    text = _COMPACT(value)
    if _NEGATIVE_ZERO.search(text) is None:
        return text
    return _COMPACT(_positive_zeros(value))


def _positive_zeros(value: Any) -> Any:
    if isinstance(value, float):
        return value + 0.0  # -0.0 + 0.0 is 0.0; every other float is unchanged
    if isinstance(value, dict):
        return {key: _positive_zeros(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_positive_zeros(item) for item in value]
    return value
