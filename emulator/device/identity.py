"""Who a gateway is: serial numbers and part numbers, derived from one serial and a seed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.model.noise import hash01

GATEWAY_PART_NUMBER = "1232100-00-E"
_SERIAL_RE = re.compile(r"^[A-Z0-9]{6,20}$")


@dataclass(frozen=True, slots=True)
class Identity:
    gateway_serial: str
    powerwall_serials: tuple[str, ...]
    meter_serial: str

    @property
    def din(self) -> str:
        """Device identification number, as /api/status and /api/config report it."""
        return f"{GATEWAY_PART_NUMBER}--{self.gateway_serial}"


def validate_serial(serial: str) -> str:
    if not _SERIAL_RE.match(serial):
        raise ValueError(f"gateway serial {serial!r} must be 6 to 20 upper-case letters or digits, e.g. T123456789")
    return serial


def make_identity(gateway_serial: str, powerwalls: int, seed: int) -> Identity:
    validate_serial(gateway_serial)
    serials = tuple(f"TG1{int(hash01(seed, 21, i) * 1e9):09d}{'ABCDEFGHJK'[i % 10]}" for i in range(powerwalls))
    meter = f"OBB{int(hash01(seed, 22, 0) * 1e10):010d}"
    return Identity(gateway_serial, serials, meter)
