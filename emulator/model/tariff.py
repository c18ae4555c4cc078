"""Time-of-use tariffs: which period an hour of the local day falls in.

The default is the Southern California Edison plan from the seed notes:
8am-2pm and 8pm-10pm off-peak, 2pm-8pm peak, 10pm-8am super off-peak.
"""

from __future__ import annotations

from dataclasses import dataclass

PEAK = "peak"
OFF_PEAK = "off_peak"
SUPER_OFF_PEAK = "super_off_peak"
PERIODS = (PEAK, OFF_PEAK, SUPER_OFF_PEAK)


@dataclass(frozen=True, slots=True)
class TariffPeriod:
    """A stretch of the day at one price (peak, off-peak, ...), in the site's local hours."""

    start_hour: float  # local time, inclusive
    end_hour: float  # local time, exclusive; may be < start_hour to wrap midnight
    name: str
    price_per_kwh: float = 0.0

    def contains(self, hour: float) -> bool:
        if self.start_hour <= self.end_hour:
            return self.start_hour <= hour < self.end_hour
        return hour >= self.start_hour or hour < self.end_hour


@dataclass(frozen=True, slots=True)
class Tariff:
    """A named time-of-use tariff: the periods that cover the day."""

    name: str
    periods: tuple[TariffPeriod, ...]

    def __post_init__(self) -> None:
        for period in self.periods:
            if period.name not in PERIODS:
                raise ValueError(f"unknown tariff period {period.name!r}; use one of {PERIODS}")

    def period_at(self, local_hour: float) -> str:
        """The period name at a local hour of day (0 <= hour < 24); off-peak where none matches."""
        for period in self.periods:
            if period.contains(local_hour):
                return period.name
        return OFF_PEAK


SCE_TOU = Tariff(
    name="SCE TOU (seed notes)",
    periods=(
        TariffPeriod(8, 14, OFF_PEAK, 0.28),
        TariffPeriod(14, 20, PEAK, 0.52),
        TariffPeriod(20, 22, OFF_PEAK, 0.28),
        TariffPeriod(22, 8, SUPER_OFF_PEAK, 0.12),
    ),
)
