"""Firmware profiles, one per emulated firmware version."""

from __future__ import annotations

from emulator.firmware.profile import FirmwareProfile
from emulator.firmware.v1_15 import PROFILE as FIRMWARE_1_15
from emulator.firmware.v24_4 import PROFILE as FIRMWARE_24_4

PROFILES: dict[str, FirmwareProfile] = {p.version: p for p in (FIRMWARE_1_15, FIRMWARE_24_4)}


def get_profile(version: str) -> FirmwareProfile:
    try:
        return PROFILES[version]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown firmware {version!r}; choose one of: {known}") from None


__all__ = ["FirmwareProfile", "PROFILES", "get_profile"]
