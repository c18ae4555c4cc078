"""Building a gateway from plain options: what the CLI, the pytest plugin and scenarios share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from emulator.contract import Throttle
from emulator.device.authorized_clients import KeyRefused, load_public_key
from emulator.device.clock import Monotonic, SimClock
from emulator.device.gateway import Gateway, GatewaySettings
from emulator.device.sessions import ThrottlePolicy
from emulator.device.snapshot import Operation
from emulator.firmware import FirmwareProfile, get_profile
from emulator.model import SiteConfig

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

DEFAULT_START = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # 06:00 in Los Angeles


@dataclass(frozen=True)
class EmulatorOptions:
    firmware: str = "1.15.0"
    gateway_serial: str = "T123456789"
    speed: float = 1.0
    paused: bool = False
    seed: int = 0
    powerwalls: int = 1
    start: datetime = DEFAULT_START
    soe_pct: float = 69.17
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
    authorized_keys: tuple[bytes, ...] = ()  # PEMs (public or private) of TEDAPI v1r keys, verified from the start


def with_throttle(profile: FirmwareProfile, threshold: int | None, cooldown_s: float | None) -> FirmwareProfile:
    """The profile with its login throttle tuned (tests want short cool-downs)."""
    if threshold is None and cooldown_s is None:
        return profile
    base = profile.throttle or ThrottlePolicy()
    policy = ThrottlePolicy(
        threshold=threshold if threshold is not None else base.threshold,
        window_s=base.window_s,
        cooldown_s=cooldown_s if cooldown_s is not None else base.cooldown_s,
    )
    facts = replace(profile.facts, throttle=Throttle(policy.threshold, policy.window_s, policy.cooldown_s))
    return replace(profile, facts=facts)


def build_gateway(options: EmulatorOptions, *, monotonic: Monotonic | None = None) -> Gateway:
    """A gateway for the options; raises ValueError with a one-line reason on bad options."""
    profile = with_throttle(get_profile(options.firmware), options.login_throttle, options.login_cooldown_s)
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
    )
    return Gateway(profile, clock, settings)


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
