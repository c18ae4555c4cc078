"""Firmware profiles, one per emulated firmware version."""

from __future__ import annotations

import re

from emulator.firmware.profile import FirmwareProfile
from emulator.firmware.v1_15 import PROFILE as FIRMWARE_1_15
from emulator.firmware.v21_44 import PROFILE as FIRMWARE_21_44
from emulator.firmware.v24_4 import PROFILE as FIRMWARE_24_4

PROFILES: dict[str, FirmwareProfile] = {p.version: p for p in (FIRMWARE_1_15, FIRMWARE_21_44, FIRMWARE_24_4)}


def get_profile(version: str) -> FirmwareProfile:
    try:
        return PROFILES[version]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown firmware {version!r}; choose one of: {known}") from None


MODERN_SINCE = (20, 49)  # HTTPS, cookie sessions and customer logins arrived with 20.49
VITALS_GONE_SINCE = (23, 44)  # /api/devices/vitals answers 404 from 23.44


def profile_for_version(version: str) -> FirmwareProfile:
    """The profile closest to a version string a gateway reports ("1.15.0\n", "23.44.0 9064fc6a").

    ValueError when no version can be read from it.
    """
    match = re.match(r"\s*(\d+)\.(\d+)", version)
    if match is None:
        raise ValueError(f"cannot read a firmware version from {version.strip()!r}")
    version_tuple = (int(match[1]), int(match[2]))
    if version_tuple >= VITALS_GONE_SINCE:
        return FIRMWARE_24_4
    return FIRMWARE_21_44 if version_tuple >= MODERN_SINCE else FIRMWARE_1_15


__all__ = ["FirmwareProfile", "MODERN_SINCE", "PROFILES", "VITALS_GONE_SINCE", "get_profile", "profile_for_version"]
