"""A firmware profile: the contract's facts for one firmware, plus what the emulator needs to act on them.

Every fact (transport, which endpoints exist and which are open, how logins work and what they do,
whether operation changes are staged, error texts) comes from schemas/firmware/<version>.yaml via
``emulator.contract``, and is read there (``profile.facts.uses_tls``): the profile repeats none of it.
It adds only the emulator's side: the body renderers, and the route names the facts serve and leave open.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.contract import FirmwareFacts, operations
from emulator.firmware.bodies import Bodies

__all__ = ["FirmwareProfile", "build_profile"]


@dataclass(frozen=True, eq=False)
class FirmwareProfile:
    """Hashed by identity: one per facts, used as a cache key on the hot path."""

    facts: FirmwareFacts
    bodies: Bodies
    served: frozenset[str]  # route names this firmware answers; others are 404
    open_routes: frozenset[tuple[str, str]]  # (route name, method) pairs that need no login

    def serves(self, route: str) -> bool:
        return route in self.served

    def is_open(self, route: str, method: str = "GET") -> bool:
        return (route, "GET" if method == "HEAD" else method.upper()) in self.open_routes


def build_profile(facts: FirmwareFacts, bodies: Bodies) -> FirmwareProfile:
    """Route names from the contract's operations (x-teg-route) that this firmware serves, and the open ones."""
    served: set[str] = set()
    open_routes: set[tuple[str, str]] = set()
    for op in operations():
        if op.route is None or not facts.serves(op.method, op.path):
            continue
        served.add(op.route)
        if facts.is_open(op.method, op.path):
            open_routes.add((op.route, op.method))
    return FirmwareProfile(facts, bodies, frozenset(served), frozenset(open_routes))
