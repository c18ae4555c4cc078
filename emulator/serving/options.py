"""What a user can choose about an emulated gateway, declared once.

:class:`RunOptions` is the one list: ``emulator.running(**options)`` takes its
fields as keywords, ``@pytest.mark.teg_emulator(...)`` takes the same names,
and ``teg-emulator serve`` derives a flag from each (``pv_rating`` ->
``--pv-rating``) with the same help text. A field's metadata says how a flag's
text becomes a value; marker and keyword values are already Python values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from os import PathLike
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator.contract import firmware_facts
from emulator.device.authorized_clients import MAX_PEM_BYTES, KeyRefused, load_public_key
from emulator.device.defaults import DEFAULT_FIRMWARE, GATEWAY_SERIAL, START_SOE_PCT
from emulator.device.factory import DEFAULT_START, EmulatorOptions, localize
from emulator.device.identity import validate_gw_password, validate_serial
from emulator.device.rate_limits import RateChoice, parse_choice, parse_rate
from emulator.durations import format_duration, parse_duration
from emulator.model import OPERATION_MODES
from emulator.numbers import number, whole_number

__all__ = ["DEFAULT_FIRMWARE", "FIRMWARES", "RunOptions", "described", "flag_fields"]

FIRMWARES = tuple(sorted(firmware_facts()))


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {text!r} (use an IANA name such as America/Los_Angeles)") from None
    return text


START_YEARS = (1971, 2999)
"""The sim calendar must be able to run on for years from a start (and local time must exist before it)."""


def _start(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time such as 2026-07-01T06:00:00") from None
    if not START_YEARS[0] <= value.year <= START_YEARS[1]:
        raise ValueError(f"{text} must be in the years {START_YEARS[0]} to {START_YEARS[1]}")
    return value


def _seconds(low: float, high: float, *, never: bool = False) -> Callable[[object], float]:
    """A duration as a flag's text (``90s``, ``30m``, ``24h``) or a keyword's number or text, from ``low`` to
    ``high`` seconds (the one duration parser, emulator.durations); ``never`` (if allowed) is infinity."""

    def seconds(value: object) -> float:
        if never and isinstance(value, str) and value.strip().lower() == "never":
            return math.inf
        if never and value == math.inf:
            return math.inf
        result = parse_duration(value)
        if not low <= result <= high:
            raise ValueError(f"{value} must be from {format_duration(low)} to {format_duration(high)}")
        return result

    return seconds


def _rate(value: object) -> RateChoice:
    """--rate-limit / rate_limit=: off (None, False), on (True), N/DURATION text, or (requests, window_s)."""
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, tuple):
        return parse_rate(f"{value[0]}/{value[1]}")
    return parse_choice(str(value))


_DAY_S = 86_400.0
_session_lifetime = _seconds(1.0, 365 * _DAY_S, never=True)
_cooldown = _seconds(0.0, _DAY_S)


def key_pem(key: str | bytes | PathLike[str]) -> bytes:
    """An authorized key's PEM: given as PEM text, or the name of a file holding it."""
    if isinstance(key, bytes):
        return key
    text = os.fspath(key)
    if "-----BEGIN" in text:
        return text.encode("utf-8")
    try:
        with open(text, "rb") as file:
            return file.read(MAX_PEM_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {text}: {exc.strerror}") from None


def key_file(text: str) -> bytes:
    """``serve --authorized-key FILE``: the PEM, read and checked now so a bad file is a usage error."""
    pem = key_pem(text)
    try:
        load_public_key(pem)
    except KeyRefused as exc:
        raise ValueError(f"{text}: {exc}") from None
    return pem


def option(
    help_text: str,
    default: Any = None,
    *,
    parse: Callable[[str], Any] | None = None,
    choices: tuple[str, ...] | None = None,
    flag: bool = True,
    metavar: str | None = None,
) -> Any:
    """A field of :class:`RunOptions`: its default, its help, and how a flag's text becomes its value."""
    meta = {"help": help_text, "parse": parse, "choices": choices, "flag": flag, "metavar": metavar}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunOptions:
    """An emulated gateway as a user describes it. Every field is optional."""

    firmware: str | None = option(f"firmware (default: a scenario's, else {DEFAULT_FIRMWARE})", choices=FIRMWARES)
    scenario: str | None = option(
        "serve a scenario live: its site, start and events (see teg-emulator scenario list)", metavar="FILE_OR_NAME"
    )
    powerwalls: int = option("number of Powerwall 2 units", 1, parse=whole_number(1, 10))
    soe: float = option("starting state of energy, %% (API scale)", START_SOE_PCT, parse=number(0, 100))
    grid: str = option("utility grid at start", "up", choices=("up", "down"))
    mode: str = option("operation mode at start", "self_consumption", choices=OPERATION_MODES)
    reserve: float = option("backup reserve at start, %% API scale", 20.0, parse=number(0, 100))
    pv_rating: float = option("PV inverter rating, W", 6000.0, parse=number(0, 1_000_000))
    speed: float = option("sim seconds per real second; 0 pauses the clock", 1.0, parse=number(0, 100_000))
    paused: bool = option("start with the sim clock paused", False)
    start: datetime | str | None = option("sim start, ISO 8601 (naive = site local time)", parse=_start)
    timezone: str = option("site time zone", "America/Los_Angeles", parse=_zone)
    seed: int = option("seed for clouds, load and serials", 0, parse=whole_number(0, 2**31 - 1))
    fault_seed: int | None = option(
        "seed for fault rules' probabilities (default: seed)", parse=whole_number(0, 2**31 - 1)
    )
    gateway_serial: str = option(
        "gateway serial (1.15.0's password is S + serial)", GATEWAY_SERIAL, parse=validate_serial
    )
    password: str | None = option("customer password (newer firmware); default derived from the serial")
    gw_password: str | None = option(
        "gateway password (QR sticker) for the TEDAPI's HTTP Basic; default: ten letters drawn from the seed",
        parse=validate_gw_password,
    )
    tls: bool | None = option("serve HTTPS (default: what the firmware does)", flag=False)
    login_throttle: int | None = option(
        "failed logins before a 429 (newer firmware; default 5)", parse=whole_number(1, 1000)
    )
    login_cooldown: float | str | None = option(
        "how long logins get 429 after too many wrong passwords, in real time: 30, 90s, 30m (default 30 s)",
        parse=_cooldown,
        metavar="DURATION",
    )
    session_lifetime: float | str | None = option(
        "how long a login lasts on the simulated clock: 24h, 90m or never (default: the firmware's, 24 h)",
        parse=_session_lifetime,
        metavar="DURATION",
    )
    rate_limit: str | bool | tuple[int, float] | None = option(
        "answer 429 to a client polling one endpoint more than N times in DURATION: N/DURATION (60/1m),"
        " on (the firmware's assumed 60/1m) or off (default)",
        parse=_rate,
        metavar="N/DURATION",
    )
    rate_limit_cooldown: float | str | None = option(
        "how long a rate limit's 429 lasts on the simulated clock (default: the firmware's, 10m)",
        parse=_cooldown,
        metavar="DURATION",
    )
    authorized_keys: tuple[str | bytes | PathLike[str], ...] = option(
        "TEDAPI v1r: RSA keys the gateway accepts, verified from the start (PEM text or files; public or private)",
        (),
        flag=False,  # serve spells it --authorized-key FILE, once per key
    )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RunOptions:
        """Keywords (a marker's, running()'s) -> options; an unknown name is a ValueError listing the valid ones."""
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(unknown)}; valid: {', '.join(cls.names())}")
        if "grid" in values and values["grid"] not in ("up", "down"):
            raise ValueError(f"grid must be 'up' or 'down', not {values['grid']!r}")
        return cls(**values)

    def authorized_key_pems(self) -> tuple[bytes, ...]:
        try:
            return tuple(key_pem(key) for key in self.authorized_keys)
        except ValueError as exc:
            raise ValueError(f"an authorized key: {exc}") from None

    def gateway_options(self) -> EmulatorOptions:
        """The device-level options a gateway is built from (an internal detail; ``firmware`` None: the default)."""
        start = DEFAULT_START
        if self.start is not None:
            value = datetime.fromisoformat(self.start) if isinstance(self.start, str) else self.start
            start = localize(value, self.timezone)
        return EmulatorOptions(
            firmware=self.firmware or DEFAULT_FIRMWARE,
            gateway_serial=self.gateway_serial,
            speed=float(self.speed),
            paused=self.paused or self.speed == 0,
            seed=self.seed,
            powerwalls=self.powerwalls,
            start=start,
            soe_pct=self.soe,
            mode=self.mode,
            reserve_pct=self.reserve,
            grid_connected=self.grid == "up",
            password=self.password,
            gw_password=self.gw_password,
            pv_rating_w=self.pv_rating,
            timezone=self.timezone,
            login_throttle=self.login_throttle,
            login_cooldown_s=None if self.login_cooldown is None else _cooldown(self.login_cooldown),
            session_lifetime_s=None if self.session_lifetime is None else _session_lifetime(self.session_lifetime),
            rate_limit=_rate(self.rate_limit),
            rate_limit_cooldown_s=None if self.rate_limit_cooldown is None else _cooldown(self.rate_limit_cooldown),
            authorized_keys=self.authorized_key_pems(),
        )


def described() -> dict[str, str]:
    """Option name -> help, for the marker's registration and error messages."""
    return {f.name: f.metadata["help"].replace("%%", "%") for f in fields(RunOptions)}


def flag_fields() -> list[Any]:
    """The fields that become `serve` flags (``tls`` has its own --tls/--no-tls pair)."""
    return [f for f in fields(RunOptions) if f.metadata["flag"]]
