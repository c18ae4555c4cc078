"""Firmware profiles, one per facts file in schemas/firmware/: adding a firmware is data plus, when its
bodies look different, a renderer family named in its ``renderers`` fact."""

from __future__ import annotations

from collections.abc import Callable

from emulator.contract import facts_for, facts_for_reported, firmware_facts
from emulator.firmware.bodies import Bodies
from emulator.firmware.modern_bodies import ModernBodies
from emulator.firmware.profile import FirmwareProfile, build_profile
from emulator.firmware.v21_44 import Bodies21

RENDERERS: dict[str, Callable[[], Bodies]] = {"seed": Bodies, "modern_21": Bodies21, "modern": ModernBodies}
"""Body renderer families by the name a facts file gives in ``renderers``."""

PROFILES: dict[str, FirmwareProfile] = {
    version: build_profile(facts, RENDERERS[facts.renderers]()) for version, facts in firmware_facts().items()
}


def get_profile(version: str) -> FirmwareProfile:
    """The profile named ``version``; ValueError naming the known ones."""
    return PROFILES[facts_for(version).version]


def profile_for_version(version: str) -> FirmwareProfile:
    """The profile closest to a version string a gateway reports ("1.15.0\n", "23.44.0 9064fc6a").

    ValueError when no version can be read from it.
    """
    return PROFILES[facts_for_reported(version).version]


__all__ = ["PROFILES", "RENDERERS", "FirmwareProfile", "get_profile", "profile_for_version"]
