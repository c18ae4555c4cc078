"""Argument types that turn bad flag values into one-line argparse errors."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator.device.identity import validate_gw_password


def bounded_float(low: float, high: float | None = None):  # type: ignore[no-untyped-def]
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


def bounded_int(low: int, high: int):  # type: ignore[no-untyped-def]
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


def timezone_name(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r} (use an IANA name such as America/Los_Angeles)"
        ) from None
    return text


START_YEARS = (1971, 2999)


def start_time(text: str) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC... unless --timezone says otherwise (see serve)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time such as 2026-07-01T06:00:00") from None
    if not START_YEARS[0] <= value.year <= START_YEARS[1]:  # the sim calendar must be able to run on for years
        raise argparse.ArgumentTypeError(f"{text} must be in the years {START_YEARS[0]} to {START_YEARS[1]}")
    return value


def readable_file(text: str) -> str:
    try:
        with open(text, "rb"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {exc.strerror}") from None
    return text


def gateway_password(text: str) -> str:
    """--gw-password: what a QR sticker could hold (printable ASCII, no spaces)."""
    try:
        return validate_gw_password(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
