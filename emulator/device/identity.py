"""Who a gateway is: serial numbers and part numbers, derived from one serial and a seed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.model.noise import hash01

GATEWAY_PART_NUMBER = "1232100-00-E"
_SERIAL_RE = re.compile(r"^[A-Z0-9]{6,20}$")


@dataclass(frozen=True, slots=True)
class Identity:
    """The serial numbers and the sticker password a gateway is known by, drawn once from its seed."""

    gateway_serial: str
    powerwall_serials: tuple[str, ...]
    meter_serial: str
    gateway_password: str = "ABCDEFGHIJ"  # the QR sticker's: HTTP Basic on the TEDAPI

    @property
    def din(self) -> str:
        """Device identification number, as /api/status and /api/config report it."""
        return f"{GATEWAY_PART_NUMBER}--{self.gateway_serial}"


def validate_serial(serial: str) -> str:
    if not _SERIAL_RE.match(serial):
        raise ValueError(f"gateway serial {serial!r} must be 6 to 20 upper-case letters or digits, e.g. T123456789")
    return serial


_GW_PASSWORD_RE = re.compile(r"^[\x21-\x7e]{5,64}$")
_STICKER_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def sticker_password(seed: int) -> str:
    """Ten capital letters drawn from the seed, like the password on a gateway's QR sticker."""
    return "".join(_STICKER_LETTERS[int(hash01(seed, 23, i) * 26) % 26] for i in range(10))


def validate_gw_password(password: str) -> str:
    if not _GW_PASSWORD_RE.match(password):
        raise ValueError("gateway password must be 5 to 64 printable ASCII characters without spaces, e.g. ABCDEFGHIJ")
    return password


def make_identity(gateway_serial: str, powerwalls: int, seed: int, gw_password: str | None = None) -> Identity:
    validate_serial(gateway_serial)
    sticker = validate_gw_password(gw_password) if gw_password is not None else sticker_password(seed)
    serials = tuple(f"TG1{int(hash01(seed, 21, i) * 1e9):09d}{'ABCDEFGHJK'[i % 10]}" for i in range(powerwalls))
    meter = f"OBB{int(hash01(seed, 22, 0) * 1e10):010d}"
    return Identity(gateway_serial, serials, meter, sticker)
