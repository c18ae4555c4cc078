"""What a site is made of: batteries, PV, household, grid code and tariff.

Plain frozen dataclasses so a configuration can be shared, compared and
printed; everything that changes over time lives in :mod:`emulator.model.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.model.tariff import SCE_TOU, Tariff

POWERWALL2_USABLE_WH = 13_500.0
POWERWALL2_CONTINUOUS_W = 5_000.0
POWERWALL2_PART_NUMBER = "3012170-05-B"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """A site's fixed properties. Defaults describe a Californian home with one Powerwall 2."""

    powerwalls: int = 1
    battery_capacity_wh: float = POWERWALL2_USABLE_WH  # usable energy per Powerwall
    battery_max_power_w: float = POWERWALL2_CONTINUOUS_W  # continuous, per Powerwall
    round_trip_efficiency: float = 0.90
    pv_rating_w: float = 6_000.0  # what /api/solars reports as power_rating_watts
    latitude: float = 34.05
    longitude: float = -118.25
    timezone: str = "America/Los_Angeles"
    base_load_w: float = 350.0
    load_scale: float = 1.0
    cloudiness: float = 0.15  # 0 = always clear, 1 = overcast most of the time
    nominal_voltage_v: float = 240.0
    nominal_frequency_hz: float = 60.0
    tariff: Tariff = field(default=SCE_TOU)
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.powerwalls <= 10:
            raise ValueError("powerwalls must be between 1 and 10")
        if not 0 < self.round_trip_efficiency <= 1:
            raise ValueError("round_trip_efficiency must be in (0, 1]")
        if self.pv_rating_w < 0 or self.base_load_w < 0 or self.load_scale < 0:
            raise ValueError("pv_rating_w, base_load_w and load_scale must be >= 0")
        if not 0 <= self.cloudiness <= 1:
            raise ValueError("cloudiness must be in [0, 1]")
        if not -90 <= self.latitude <= 90 or not -180 <= self.longitude <= 180:
            raise ValueError("latitude/longitude out of range")

    @property
    def total_capacity_wh(self) -> float:
        return self.battery_capacity_wh * self.powerwalls

    @property
    def total_max_power_w(self) -> float:
        return self.battery_max_power_w * self.powerwalls

    @property
    def one_way_efficiency(self) -> float:
        """Charging and discharging each lose the square root of the round-trip loss."""
        return float(self.round_trip_efficiency**0.5)
