"""How a site's PV power spreads over its inverter's string inputs.

/api/solar_powerwall (Powerwall+ on 24.4.0) and the TEDAPI (Powerwall+ and
Powerwall 3) both read their strings from here, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

STRING_VOLTAGE_V = 380.0  # a string's operating voltage while producing
STRING_IDLE_V = 10.3  # what a string input reads with nothing produced (night, or nothing wired)


@dataclass(frozen=True, slots=True)
class PvString:
    """One PV string's reading, as a Powerwall's MPPT reports it."""

    name: str  # "A".."F"
    connected: bool
    voltage_v: float
    current_a: float

    @property
    def power_w(self) -> float:
        return self.voltage_v * self.current_a


def pv_strings(solar_w: float, names: str, active: int) -> tuple[PvString, ...]:
    """PV power split evenly over the first ``active`` strings; the others are not connected."""
    share = max(0.0, solar_w) / active if active else 0.0
    result = []
    for index, name in enumerate(names):
        connected = index < active
        power = share if connected else 0.0
        voltage = STRING_VOLTAGE_V if power > 0 else STRING_IDLE_V
        result.append(PvString(name, connected, voltage, power / voltage))
    return tuple(result)
