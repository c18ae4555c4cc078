"""Firmware eras as a client sees them: how to log in and what a login does.

Every fact here comes from the contract's firmware facts (schemas/firmware/<version>.yaml,
loaded by ``emulator.contract``), never from the emulator's profiles: the suite judges
real gateways and the emulator by the same data. A gateway speaks the contract of the
profile with the latest ``speaks_for_from`` not after the version it reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.contract import FirmwareFacts, facts_for_reported, firmware_facts


@dataclass(frozen=True)
class Era:
    profile: str  # the contract's firmware profile name
    cookie_auth: bool  # credentials travel as AuthCookie/UserRecord cookies, not a bearer token
    login_username: str
    login_stops_sitemaster: bool
    sitemaster_stop: tuple[str, str, dict[str, object] | None]
    mode_field: str  # the operation mode's name in /api/operation
    operation_staged: bool  # POST /api/operation takes effect at GET /api/config/completed
    sitemaster_run: tuple[str, str]
    facts: FirmwareFacts  # everything else (error texts, transport, paths)


def _era(facts: FirmwareFacts) -> Era:
    return Era(
        profile=facts.version,
        cookie_auth=facts.cookie_sessions,
        login_username=facts.username,
        login_stops_sitemaster=facts.login_stops_sitemaster,
        sitemaster_stop=(facts.sitemaster_stop.method, facts.sitemaster_stop.path, facts.sitemaster_stop.body),
        mode_field=facts.mode_field,
        operation_staged=facts.operation_staged,
        sitemaster_run=(facts.sitemaster_run.method, facts.sitemaster_run.path),
        facts=facts,
    )


ERAS = {version: _era(facts) for version, facts in firmware_facts().items()}


def era_for(version: str) -> Era:
    """The era of a version string as /api/status reports it ("1.15.0", "21.44 223a56cd", "24.4.0 0fe780c9")."""
    return ERAS[facts_for_reported(version).version]
