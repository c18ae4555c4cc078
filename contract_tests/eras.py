"""Firmware eras as a client sees them: how to log in and what a login does.

The suite maps whatever version a gateway reports onto the contract's firmware
profiles (openapi.yaml's x-teg-firmware): before 20.49 a gateway speaks the 1.15.0
contract (bearer tokens, plain HTTP, a login stops sitemaster); from 20.49 on, the
24.4.0 one (HTTPS, AuthCookie/UserRecord cookies, customer logins with an email).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.firmware import profile_for_version


@dataclass(frozen=True)
class Era:
    profile: str  # the contract's firmware profile name
    cookie_auth: bool  # credentials travel as AuthCookie/UserRecord cookies, not a bearer token
    login_username: str
    login_stops_sitemaster: bool
    sitemaster_run: tuple[str, str]  # how this era restarts sitemaster
    sitemaster_stop: tuple[str, str, dict[str, object] | None]
    islanding: bool  # POST /api/v2/islanding/mode exists
    mode_field: str  # the operation mode's name in /api/operation
    operation_staged: bool  # POST /api/operation takes effect at GET /api/config/completed


LEGACY = Era(
    profile="1.15.0",
    cookie_auth=False,
    login_username="",
    login_stops_sitemaster=True,
    sitemaster_run=("GET", "/api/sitemaster/run"),
    sitemaster_stop=("POST", "/api/sitemaster/stop", {}),
    islanding=False,
    mode_field="mode",
    operation_staged=True,
)
MODERN = Era(
    profile="24.4.0",
    cookie_auth=True,
    login_username="customer",
    login_stops_sitemaster=False,
    sitemaster_run=("GET", "/api/sitemaster/run"),
    sitemaster_stop=("POST", "/api/sitemaster/stop", {"force": True}),
    islanding=True,
    mode_field="real_mode",
    operation_staged=False,
)
ERAS = {era.profile: era for era in (LEGACY, MODERN)}


def era_for(version: str) -> Era:
    """The era of a version string as /api/status reports it ("1.15.0", "21.44 223a56cd", "24.4.0 0fe780c9")."""
    return ERAS[profile_for_version(version).version]
