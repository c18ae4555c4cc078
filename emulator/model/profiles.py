"""What the sun gives and what the house takes, as pure functions of sim time.

Both are deterministic for a seed: clear-sky PV from the sun's elevation at
the site with seeded cloud noise, and a household load with a base, morning
and evening peaks, smooth noise and short appliance spikes.
"""

from __future__ import annotations

import math

from emulator.model.config import SiteConfig
from emulator.model.noise import hash01, smooth01

_DEG = math.pi / 180.0
_CLOUD_SLOW, _CLOUD_FAST, _LOAD_SMOOTH, _LOAD_SPIKE, _NIGHT = 1, 2, 3, 4, 5
_PV_SYSTEM_FACTOR = 0.86  # inverter and wiring losses: a clear noon rarely reaches the rating


def sun_elevation_sin(t: float, latitude: float, longitude: float) -> float:
    """Sine of the sun's elevation at POSIX time t (simple declination model)."""
    day = t / 86_400.0
    day_of_year = (day + 4.0) % 365.2422  # Jan 1 ~ 0; the epoch was Jan 1 1970
    declination = 23.44 * _DEG * math.sin(2.0 * math.pi * (284.0 + day_of_year) / 365.0)
    solar_hour = ((t % 86_400.0) / 3_600.0 + longitude / 15.0) % 24.0
    hour_angle = (solar_hour - 12.0) * 15.0 * _DEG
    lat = latitude * _DEG
    return math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(declination) * math.cos(hour_angle)


def clear_sky_pv_w(t: float, config: SiteConfig) -> float:
    sin_el = sun_elevation_sin(t, config.latitude, config.longitude)
    if sin_el <= 0.0:
        return 0.0
    return float(config.pv_rating_w * _PV_SYSTEM_FACTOR * sin_el**1.15)


def cloud_factor(t: float, seed: int, cloudiness: float) -> float:
    """Fraction of clear-sky output that gets through, in (0, 1]."""
    if cloudiness <= 0.0:
        return 1.0
    slow = smooth01(seed, _CLOUD_SLOW, t, 2_700.0)  # weather fronts, ~45 min
    fast = smooth01(seed, _CLOUD_FAST, t, 180.0)  # passing clouds, ~3 min
    cover = cloudiness * (0.55 * slow + 0.45 * fast) * 1.6
    if cover > 1.0:
        cover = 1.0
    return 1.0 - 0.8 * cover


def solar_w(t: float, config: SiteConfig, cloudiness: float | None = None) -> float:
    """PV power before curtailment; a few watts negative at night as real inverters draw."""
    clear = clear_sky_pv_w(t, config)
    if clear <= 0.0:
        if config.pv_rating_w <= 0:
            return 0.0
        return -(2.0 + 6.0 * smooth01(config.seed, _NIGHT, t, 600.0))
    cover = config.cloudiness if cloudiness is None else cloudiness
    return clear * cloud_factor(t, config.seed, cover)


def load_w(t: float, local_hour: float, config: SiteConfig) -> float:
    """Household consumption, always positive."""
    morning = 900.0 * math.exp(-(((local_hour - 7.25) / 0.9) ** 2))
    midday = 250.0 * math.exp(-(((local_hour - 13.0) / 2.5) ** 2))
    evening = 1_700.0 * math.exp(-(((local_hour - 19.0) / 1.6) ** 2))
    wobble = 0.8 + 0.4 * smooth01(config.seed, _LOAD_SMOOTH, t, 900.0)
    base = (config.base_load_w + morning + midday + evening) * wobble
    bucket = int(t // 300.0)  # a kettle, an oven, a pump: a short spike in some 5-min buckets
    if hash01(config.seed, _LOAD_SPIKE, bucket) < 0.06 and (t - bucket * 300.0) < 150.0:
        base += 1_200.0 + 1_000.0 * hash01(config.seed, _LOAD_SPIKE + 100, bucket)
    return base * config.load_scale
