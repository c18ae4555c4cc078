"""Firmware profiles: the renderer family a facts file names, found from the facts a gateway holds.

A gateway holds its firmware's facts (``gateway.facts``, from schemas/firmware/<version>.yaml); the
layers that answer requests find the rest here by those facts: :func:`profile_of` gives the body
renderers and the route names the facts serve. Adding a firmware is a facts file plus, when its bodies
look different, a renderer family registered under the name its ``renderers`` fact gives
(:func:`register_renderers`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.contract import FirmwareFacts, facts_for, firmware_facts
from emulator.firmware.bodies import Bodies
from emulator.firmware.profile import FirmwareProfile, build_profile

if TYPE_CHECKING:
    from emulator.device.gateway import Gateway


def _family(module: str, name: str) -> Callable[[], Bodies]:
    """A renderer family imported when a profile first needs it: a served gateway loads its own firmware's
    renderers only (the newer families and the vitals protobuf are ~60 KB of bytecode a 1.15.0 start skips)."""

    def make() -> Bodies:
        family: Callable[[], Bodies] = getattr(importlib.import_module(module), name)
        return family()

    return make


RENDERERS: dict[str, Callable[[], Bodies]] = {
    "seed": Bodies,
    "modern_21": _family("emulator.firmware.v21_44", "Bodies21"),
    "modern": _family("emulator.firmware.modern_bodies", "ModernBodies"),
}
"""Body renderer families by the name a facts file gives in ``renderers``."""

_BY_FACTS: dict[FirmwareFacts, FirmwareProfile] = {}


def register_renderers(name: str, family: Callable[[], Bodies]) -> None:
    """Make a renderer family known by the name facts files give in ``renderers`` (a new firmware's bodies)."""
    if name in RENDERERS and RENDERERS[name] is not family:
        raise ValueError(f"a renderer family named {name!r} is already registered")
    RENDERERS[name] = family


def profile_for(facts: FirmwareFacts) -> FirmwareProfile:
    """The profile of these facts, built once per facts object (facts are compared by identity)."""
    profile = _BY_FACTS.get(facts)
    if profile is None:
        family = RENDERERS.get(facts.renderers)
        if family is None:
            known = ", ".join(sorted(RENDERERS))
            raise ValueError(f"firmware {facts.version} names renderers {facts.renderers!r}; known: {known}")
        profile = _BY_FACTS[facts] = build_profile(facts, family())
    return profile


def profile_of(gateway: Gateway) -> FirmwareProfile:
    """The profile of the firmware the gateway runs now (its facts can change: a firmware update)."""
    return profile_for(gateway.facts)


if TYPE_CHECKING:
    PROFILES: dict[str, FirmwareProfile]
    """The profile of every facts file in schemas/firmware/, by version (made when first asked for)."""


def __getattr__(name: str) -> Any:
    if name == "PROFILES":  # every family's renderers: a serving process never asks, so never loads them all
        return {version: profile_for(facts) for version, facts in firmware_facts().items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_profile(version: str) -> FirmwareProfile:
    """The profile named ``version``; ValueError naming the known ones."""
    return profile_for(facts_for(version))


__all__ = [
    "PROFILES",
    "RENDERERS",
    "FirmwareProfile",
    "get_profile",
    "profile_for",
    "profile_of",
    "register_renderers",
]
