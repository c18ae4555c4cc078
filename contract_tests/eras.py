"""Firmware eras as a client sees them: how to log in and what a login does.

The suite maps whatever version a gateway reports onto the contract's firmware
profiles (openapi.yaml's x-teg-firmware): before 20.49 a gateway speaks the 1.15.0
contract (bearer tokens, plain HTTP, a login stops sitemaster); from 20.49 on, the
21.44.1 one (HTTPS, AuthCookie/UserRecord cookies, customer logins with an email,
protobuf vitals); from 23.44 (vitals gone), the 24.4.0 one.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.firmware import get_profile, profile_for_version

SITEMASTER_RUN = ("GET", "/api/sitemaster/run")  # every era restarts sitemaster this way


@dataclass(frozen=True)
class Era:
    profile: str  # the contract's firmware profile name
    cookie_auth: bool  # credentials travel as AuthCookie/UserRecord cookies, not a bearer token
    login_username: str
    login_stops_sitemaster: bool
    sitemaster_stop: tuple[str, str, dict[str, object] | None]
    mode_field: str  # the operation mode's name in /api/operation
    operation_staged: bool  # POST /api/operation takes effect at GET /api/config/completed
    sitemaster_run: tuple[str, str] = SITEMASTER_RUN


def _era(profile: str, *, login_username: str, stop_body: dict[str, object], mode_field: str) -> Era:
    """An era whose auth and staging facts come from the firmware profile, the one place that states them."""
    facts = get_profile(profile)
    return Era(
        profile=profile,
        cookie_auth=facts.cookie_sessions,
        login_username=login_username,
        login_stops_sitemaster=facts.login_stops_sitemaster,
        sitemaster_stop=("POST", "/api/sitemaster/stop", stop_body),
        mode_field=mode_field,
        operation_staged=facts.operation_staged,
    )


LEGACY = _era("1.15.0", login_username="", stop_body={}, mode_field="mode")
VITALS = _era("21.44.1", login_username="customer", stop_body={"force": True}, mode_field="real_mode")
MODERN = _era("24.4.0", login_username="customer", stop_body={"force": True}, mode_field="real_mode")
ERAS = {era.profile: era for era in (LEGACY, VITALS, MODERN)}


def era_for(version: str) -> Era:
    """The era of a version string as /api/status reports it ("1.15.0", "21.44 223a56cd", "24.4.0 0fe780c9")."""
    return ERAS[profile_for_version(version).version]
