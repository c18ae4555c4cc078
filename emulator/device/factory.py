"""Building a gateway from plain options: what the CLI, the pytest plugin and scenarios share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from emulator.contract import facts_for
from emulator.device.authorized_clients import KeyRefused, load_public_key
from emulator.device.clock import Monotonic, SimClock
from emulator.device.defaults import GATEWAY_SERIAL, START_SOE_PCT
from emulator.device.gateway import Gateway, GatewaySettings
from emulator.device.rate_limits import RateChoice
from emulator.device.snapshot import Operation
from emulator.model import SiteConfig

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

DEFAULT_START = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # 06:00 in Los Angeles


@dataclass(frozen=True)
class EmulatorOptions:
    """The device-level options a gateway is built from: an internal detail derived from ``RunOptions``
    (emulator.serving.options), which holds every default; the firmware is always named here."""

    firmware: str
    gateway_serial: str = GATEWAY_SERIAL
    speed: float = 1.0
    paused: bool = False
    seed: int = 0
    powerwalls: int = 1
    start: datetime = DEFAULT_START
    soe_pct: float = START_SOE_PCT
    mode: str = "self_consumption"
    reserve_pct: float = 20.0
    grid_connected: bool = True
    password: str | None = None
    gw_password: str | None = None  # TEDAPI (QR sticker) password; None: ten letters from the seed
    pv_rating_w: float = 6_000.0
    timezone: str = "America/Los_Angeles"
    site: dict[str, object] = field(default_factory=dict)  # extra SiteConfig fields
    login_throttle: int | None = None  # failed logins before a 429 cool-down (None: the firmware's)
    login_cooldown_s: float | None = None
    session_lifetime_s: float | None = None  # None: the firmware's; inf: sessions never expire
    rate_limit: RateChoice = None  # None: off; "on": the firmware's stated limit; (requests, window_s)
    rate_limit_cooldown_s: float | None = None  # None: the firmware's
    authorized_keys: tuple[bytes, ...] = ()  # PEMs (public or private) of TEDAPI v1r keys, verified from the start


def build_gateway(options: EmulatorOptions, *, monotonic: Monotonic | None = None) -> Gateway:
    """A gateway for the options; raises ValueError with a one-line reason on bad options."""
    facts = facts_for(options.firmware)
    config = SiteConfig(
        powerwalls=options.powerwalls,
        pv_rating_w=options.pv_rating_w,
        timezone=options.timezone,
        seed=options.seed,
        **options.site,  # type: ignore[arg-type]  # extra SiteConfig fields from a scenario, checked by its schema
    )
    clock_kwargs = {"monotonic": monotonic} if monotonic is not None else {}
    clock = SimClock(options.start, speed=options.speed, paused=options.paused, **clock_kwargs)
    settings = GatewaySettings(
        config=config,
        gateway_serial=options.gateway_serial,
        start_soe_pct=options.soe_pct,
        operation=Operation(options.mode, options.reserve_pct),
        grid_connected=options.grid_connected,
        password=options.password,
        gw_password=options.gw_password,
        authorized_keys=tuple(_public_key(pem) for pem in options.authorized_keys),
        login_throttle=options.login_throttle,
        login_cooldown_s=options.login_cooldown_s,
        session_lifetime_s=options.session_lifetime_s,
        rate_limit=options.rate_limit,
        rate_limit_cooldown_s=options.rate_limit_cooldown_s,
    )
    return Gateway(facts, clock, settings)


def _public_key(pem: bytes) -> RSAPublicKey:
    try:
        return load_public_key(pem)
    except KeyRefused as exc:
        raise ValueError(f"an authorized key: {exc}") from None


def localize(value: datetime, zone: str) -> datetime:
    """A naive --start is local time at the site, as a person would mean it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)
