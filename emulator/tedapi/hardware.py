"""The devices a TEDAPI client sees on a site, read from one gateway snapshot.

The TEDAPI describes hardware the /api/ routes only summarise: each Powerwall
or expansion pack with its energy, the inverter and its PV strings, the meters
and the islanding contactor. Everything here is derived from the same
:class:`~emulator.device.gateway.Snapshot` the /api/ bodies use, so a TEDAPI
client and an /api/ client see the same site at the same instant.

Two layouts, chosen by the firmware profile's ``hardware``:

* ``powerwall2``: a Backup Gateway 2 with Powerwall 2s; the first is a
  Powerwall+ whose solar inverter (PVAC) has four string inputs, as
  /api/solar_powerwall reports them.
* ``powerwall3``: the first pack is a Powerwall 3, the site controller, with
  six PV string inputs on its own MPPTs; the others are DC expansion packs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from emulator.device.identity import GATEWAY_PART_NUMBER
from emulator.device.snapshot import Snapshot
from emulator.firmware.bodies import Bodies
from emulator.model.noise import smooth01
from emulator.model.pv import PvString, pv_strings

POWERWALL2_PART = "3012170-05-B"
POWERWALL3_PART = "1707000-11-J"
EXPANSION_PART = "1807000-10-B"
PVAC_PART = "1538000-45-F"  # the Powerwall+ solar inverter
_TEMP_CHANNEL = 41


@dataclass(frozen=True, slots=True)
class Pack:
    """One battery: a Powerwall (with its inverter) or an expansion pack (DC only)."""

    part: str
    serial: str
    full_wh: float
    remaining_wh: float
    power_w: float  # AC (Powerwall) or DC (expansion) share of the battery flow; + discharging
    expansion: bool
    temp_c: float

    @property
    def din(self) -> str:
        return f"{self.part}--{self.serial}"


@dataclass(frozen=True, slots=True)
class Electrical:
    grid_v: float
    grid_f: float
    house_v: float
    house_f: float
    site_q: float


@dataclass(frozen=True, slots=True)
class Site:
    pw3: bool
    din: str  # what /tedapi/din answers: the gateway's, or the leading Powerwall 3's
    packs: tuple[Pack, ...]
    strings: tuple[PvString, ...]
    electrical: Electrical
    ambient_c: float

    @property
    def leader(self) -> Pack:
        return self.packs[0]

    @property
    def inverters(self) -> tuple[Pack, ...]:
        return tuple(p for p in self.packs if not p.expansion)


def describe(snap: Snapshot, hardware: str, bodies: Bodies) -> Site:
    """The site's devices at the snapshot's instant (``hardware``: the firmware profile's)."""
    pw3 = hardware == "powerwall3"
    state, flows = snap.state, snap.flows
    total = state.full_wh
    local = datetime.fromtimestamp(snap.t, tz=snap.zone)
    hour = local.hour + local.minute / 60.0
    ambient = (
        18.0
        + 8.0 * math.sin((hour - 9.0) / 24.0 * 2 * math.pi)
        + 2.0 * smooth01(snap.config.seed, _TEMP_CHANNEL, snap.t, 600.0)
    )
    packs = []
    for index, (serial, full) in enumerate(zip(snap.identity.powerwall_serials, state.pack_full_wh, strict=True)):
        share = full / total if total else 0.0
        power = flows.battery_w * share
        if pw3:
            part = POWERWALL3_PART if index == 0 else EXPANSION_PART
        else:
            part = POWERWALL2_PART
        packs.append(
            Pack(
                part=part,
                serial=serial,
                full_wh=full,
                remaining_wh=state.energy_wh * share,
                power_w=power,
                expansion=pw3 and index > 0,
                temp_c=round(ambient + 6.0 + abs(power) / 1000.0 * 2.5, 1),  # packs warm as they work
            )
        )
    strings = pv_strings(flows.solar_w, "ABCDEF", 3) if pw3 else pv_strings(flows.solar_w, "ABCD", 3)
    readings = bodies.meter_readings(snap)
    electrical = Electrical(
        grid_v=readings["site"]["v"],
        grid_f=readings["site"]["f"],
        house_v=readings["load"]["v"],
        house_f=readings["load"]["f"],
        site_q=readings["site"]["q"],
    )
    din = packs[0].din if pw3 else f"{GATEWAY_PART_NUMBER}--{snap.identity.gateway_serial}"
    return Site(pw3, din, tuple(packs), strings, electrical, round(ambient, 1))
