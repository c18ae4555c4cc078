"""Argument types that turn bad flag values into one-line argparse errors."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from emulator.options import flag_fields

SERVE_DEFAULT_FIRMWARE = "1.15.0"
"""What `serve` (and so a shard, a container and the fleet manifest) runs without --firmware: the seed's firmware."""


def from_parse(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A RunOptions parser (ValueError) as an argparse type (ArgumentTypeError: one line, exit 2)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def option_flags() -> list[tuple[str, dict[str, Any]]]:
    """One argparse flag per :class:`emulator.options.RunOptions` field: name, default, help, type."""
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


def bounded_float(low: float, high: float | None = None) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value != value or value < low or (high is not None and value > high):
            upper = f" and {high:g}" if high is not None else ""
            raise argparse.ArgumentTypeError(
                f"{text} must be between {low:g}{upper}" if upper else f"{text} must be >= {low:g}"
            )
        return value

    return parse


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} must be between {low} and {high}")
        return value

    return parse


def port(text: str) -> int:
    return bounded_int(0, 65535)(text)


def readable_file(text: str) -> str:
    try:
        with open(text, "rb"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {exc.strerror}") from None
    return text
