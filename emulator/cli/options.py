"""Argument types that turn bad flag values into one-line argparse errors."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

from emulator import numbers
from emulator.numbers import number, whole_number
from emulator.serving.options import flag_fields

T = TypeVar("T")


def from_parse(parse: Callable[[str], T]) -> Callable[[str], T]:
    """A parser that raises ValueError as an argparse type (ArgumentTypeError: one line, exit 2)."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def option_flags() -> list[tuple[str, dict[str, Any]]]:
    """One argparse flag per :class:`emulator.serving.options.RunOptions` field: name, default, help, type."""
    flags = []
    for f in flag_fields():
        meta = f.metadata
        kwargs: dict[str, Any] = {"default": f.default, "help": meta["help"]}
        if f.default is False:
            kwargs["action"] = "store_true"
        if meta["choices"]:
            kwargs["choices"] = meta["choices"]
        if meta["parse"]:
            kwargs["type"] = from_parse(meta["parse"])
        if meta["metavar"]:
            kwargs["metavar"] = meta["metavar"]
        if f.default not in (None, False):
            kwargs["help"] += f" (default {f.default})"
        flags.append(("--" + f.name.replace("_", "-"), kwargs))
    return flags


def bounded_float(low: float, high: float) -> Callable[[str], float]:
    """An argparse type for a number from ``low`` to ``high``: :func:`emulator.numbers.number` with argparse's error."""
    return from_parse(number(low, high))


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type for a whole number from ``low`` to ``high`` (:func:`emulator.numbers.whole_number`)."""
    return from_parse(whole_number(low, high))


port = from_parse(numbers.port)
"""--port: 0 (a free port) to 65535."""


def readable_file(text: str) -> str:
    try:
        with open(text, "rb"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {exc.strerror}") from None
    return text
