"""A firmware profile: the contract's facts for one firmware, plus the emulator's renderers for it.

Routes and the gateway ask the profile instead of testing version numbers. Every fact
(transport, which endpoints exist and which are open, how logins work and what they do,
whether operation changes are staged, error texts) comes from schemas/firmware/<version>.yaml
via ``emulator.contract``; the profile only adds what the emulator needs to act on them:
body renderers, route names and a throttle policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.contract import ErrorText, FirmwareFacts, operations
from emulator.device.identity import Identity
from emulator.device.sessions import ThrottlePolicy
from emulator.firmware.bodies import Bodies

__all__ = ["ErrorText", "FirmwareProfile", "build_profile"]


@dataclass(frozen=True, eq=False)
class FirmwareProfile:
    """Hashed by identity: one per firmware, used as a cache key on the hot path."""

    facts: FirmwareFacts
    bodies: Bodies
    served: frozenset[str]  # route names this firmware answers; others are 404
    open_routes: frozenset[tuple[str, str]]  # (route name, method) pairs that need no login

    # -- the facts, under the names the gateway and routes use ----------------------------
    @property
    def version(self) -> str:
        return self.facts.version

    @property
    def version_string(self) -> str:
        return self.facts.reported_version

    @property
    def git_hash(self) -> str:
        return self.facts.git_hash

    @property
    def tls_default(self) -> bool:
        return self.facts.uses_tls

    @property
    def login_stops_sitemaster(self) -> bool:
        return self.facts.login_stops_sitemaster

    @property
    def operation_staged(self) -> bool:
        return self.facts.operation_staged

    @property
    def cookie_sessions(self) -> bool:
        return self.facts.cookie_sessions

    @property
    def login_roles(self) -> tuple[str, ...]:
        return self.facts.roles

    @property
    def bad_credentials(self) -> ErrorText:
        return self.facts.bad_credentials

    @property
    def missing_credentials(self) -> ErrorText:
        return self.facts.missing_credentials

    @property
    def invalid_credentials(self) -> ErrorText:
        return self.facts.invalid_credentials

    @property
    def throttled(self) -> ErrorText | None:
        return self.facts.throttled

    @property
    def sitemaster_stopped(self) -> ErrorText:
        return self.facts.sitemaster_stopped

    @property
    def extra_headers(self) -> tuple[tuple[str, str], ...]:
        return self.facts.headers

    @property
    def throttle(self) -> ThrottlePolicy | None:
        t = self.facts.throttle
        return None if t is None else ThrottlePolicy(t.threshold, t.window_s, t.cooldown_s)

    def default_password(self, identity: Identity) -> str:
        return self.facts.default_password(identity.gateway_serial, identity.gateway_password)

    # -- the TEDAPI and the Powerwall 3's transport ---------------------------------------
    @property
    def tedapi(self) -> bool:
        """Serves /tedapi/din and /tedapi/v1 (HTTP Basic with the gateway password)."""
        return self.facts.serves("POST", "/tedapi/v1")

    @property
    def hardware(self) -> str:
        return self.facts.hardware

    @property
    def tls_min_version(self) -> str | None:
        return self.facts.tls_min_version

    @property
    def tls_key_type(self) -> str:
        return self.facts.tls.key if self.facts.tls is not None else "ec"

    @property
    def web_portal(self) -> bool:
        """GET / answers any client; a Powerwall 3 has none (browsers still get the emulator's page)."""
        return self.facts.serves("GET", "/")

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
