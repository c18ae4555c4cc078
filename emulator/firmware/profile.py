"""A firmware profile: everything that differs between gateway firmware versions.

Routes and the gateway ask the profile instead of testing version numbers:
transport, which endpoints exist and which are open, how logins work and
what they do, whether operation changes are staged, and how bodies look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from emulator.device.identity import Identity
from emulator.device.sessions import ThrottlePolicy
from emulator.firmware.bodies import Bodies


@dataclass(frozen=True)
class ErrorText:
    status: int
    error: str
    message: str


@dataclass(frozen=True)
class FirmwareProfile:
    version: str  # what --firmware takes, e.g. "1.15.0"
    version_string: str  # what /api/status reports, quirks included
    git_hash: str
    tls_default: bool
    login_stops_sitemaster: bool
    operation_staged: bool  # POST /api/operation waits for GET /api/config/completed
    cookie_sessions: bool  # login sets AuthCookie / UserRecord
    default_password: Callable[[Identity], str]
    login_roles: tuple[str, ...]
    bodies: Bodies
    served: frozenset[str]  # route names this firmware answers; others are 404
    open_routes: frozenset[str]  # route names that need no login
    bad_credentials: ErrorText
    missing_credentials: ErrorText  # no token at all (message may hold {method})
    invalid_credentials: ErrorText  # unknown or revoked token
    throttle: ThrottlePolicy | None = None
    extra_headers: tuple[tuple[str, str], ...] = field(default=())  # e.g. 1.x's permissive CORS

    def serves(self, route: str) -> bool:
        return route in self.served

    def is_open(self, route: str) -> bool:
        return route in self.open_routes
