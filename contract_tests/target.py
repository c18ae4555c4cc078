"""What the suite tests: a gateway at a URL, the firmware facts it speaks by, and what it can do.

``Target`` is all a test sees. Its capabilities say what exists beyond the gateway's
own API (``control``: the emulator's /_emulator/ control API), and its restore ledger
puts back every setting a write test changed, also when the test fails or the run is
interrupted.

Its ``facts`` are the contract's firmware facts (schemas/firmware/<version>.yaml through ``emulator.contract``),
never the emulator's profiles: the suite judges real gateways and the emulator by the same data. A gateway
speaks by the facts of the profile with the latest ``speaks_for_from`` not after the version it reports
(``facts_for_reported``); ``version`` is what it reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from contract_tests.client import Credentials, GatewayClient
from contract_tests.tedapi import (
    WireError,
    basic_auth,
    envelope,
    fields,
    firmware_version,
    path,
    system_info_body,
    system_info_request,
)
from emulator.contract import FirmwareFacts, facts_for, facts_for_reported, firmware_facts, operation_for, v1r
from emulator.contract.v1r import SigningKey

CONTROL = "control"


class TargetError(Exception):
    """The target cannot be tested at all (unreachable, wrong password, not a gateway)."""


@dataclass
class Target:
    name: str  # "emulator 1.15.0" or the gateway's URL
    client: GatewayClient
    password: str
    email: str
    facts: FirmwareFacts  # the contract's facts of the firmware it speaks (facts.version: that profile)
    version: str  # as the gateway reports it ("24.4.0 0fe780c9"); facts.version is the profile
    capabilities: frozenset[str] = frozenset()
    sample_gap_s: float = 2.0  # real time between live-data samples when time cannot be advanced
    gw_password: str | None = None  # the gateway (QR sticker) password: HTTP Basic on the TEDAPI
    din: str | None = None  # the gateway's DIN, as GET /tedapi/din answers it (when the TEDAPI was reached)
    rsa_key: SigningKey | None = None  # TEDAPI v1r: the owner's registered (verified) key
    unverified_key: SigningKey | None = None  # TEDAPI v1r: a key the gateway lists but has not verified
    spare_key: SigningKey | None = None  # TEDAPI v1r: a throwaway key the gateway lists, which the suite may remove
    transition_timeout_s: float = 120.0  # how long a commanded change (islanding, a setpoint) may take to show
    notes: list[str] = field(default_factory=list)
    _restorers: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    _session: Credentials | None = None
    _logins: int = 0

    # -- requests ----------------------------------------------------------------------
    def get(self, path: str, *, auth: bool = True) -> httpx.Response:
        return self.request("GET", path, auth=auth)

    def read(self, path: str) -> httpx.Response:
        """GET with credentials only where the contract says this firmware wants them (fewer 1.15.0 logins)."""
        return self.get(path, auth=self.needs_login("GET", path))

    def needs_login(self, method: str, path: str) -> bool:
        op = operation_for(method, path)
        return op is None or op.needs_login(self.facts.version)

    def serves(self, method: str, path: str) -> bool:
        op = operation_for(method, path)
        return op is not None and op.serves(self.facts.version)

    def request(self, method: str, path: str, *, auth: bool | Credentials = True, json: Any = None) -> httpx.Response:
        """``auth``: True = this run's session, False = none, or explicit credentials (e.g. forged).

        This run's session is logged in again once when it is refused with 401, as every client does: a
        gateway ends sessions after a while (about a day on 24.x), and a long run, or an emulator whose clock
        runs fast, outlives one. A second 401 is the answer.
        """
        credentials = self.session() if auth is True else (auth or None)
        headers = credentials.headers(self.facts.cookie_sessions) if credentials else {}
        response = self.client.request(method, path, headers=headers, json=json)
        if auth is True and response.status_code == 401:
            self._session = None
            headers = self.session().headers(self.facts.cookie_sessions)
            note = "the gateway ended the run's session (401); the suite logged in again, as clients do"
            if note not in self.notes:
                self.notes.append(note)
            response = self.client.request(method, path, headers=headers, json=json)
        return response

    def tedapi(
        self, method: str, path: str, body: bytes | None = None, *, password: str | None = None
    ) -> httpx.Response:
        """A TEDAPI request with HTTP Basic (this run's gateway password unless ``password`` is given)."""
        secret = self.gw_password if password is None else password
        headers = basic_auth(secret) if secret is not None else {}
        if body is not None:
            headers["content-type"] = "application/octet-stream"
        return self.client.request(method, path, headers=headers, content=body)

    # -- sessions ----------------------------------------------------------------------
    def login(self, password: str | None = None) -> httpx.Response:
        body = {
            "username": self.facts.username,
            "password": self.password if password is None else password,
            "email": self.email,
            "force_sm_off": False,
        }
        response = self.client.request("POST", "/api/login/Basic", json=body)
        if response.status_code == 200:
            self._logins += 1
            if self.facts.login_stops_sitemaster:
                self._restart_sitemaster_after_login()
        return response

    def new_session(self) -> Credentials:
        """A fresh login; raises TargetError when the password is refused."""
        response = self.login()
        if response.status_code != 200:
            raise TargetError(f"login to {self.name} refused ({response.status_code}): check --gateway-password")
        cookies = tuple((k, v) for k, v in response.cookies.items() if k in ("AuthCookie", "UserRecord"))
        return Credentials(token=response.json().get("token", ""), cookies=cookies)

    def session(self) -> Credentials:
        if self._session is None:
            self._session = self.new_session()
        return self._session

    def _restart_sitemaster_after_login(self) -> None:
        method, path = self.facts.sitemaster_run.method, self.facts.sitemaster_run.path
        status = self.client.request(method, path).status_code
        note = f"firmware {self.facts.version}: each login stops sitemaster; the suite restarted it ({method} {path} -> {status})"
        if note not in self.notes:
            self.notes.append(note)

    def logout(self, credentials: Credentials) -> httpx.Response:
        return self.request("GET", "/api/logout", auth=credentials)

    # -- time and control --------------------------------------------------------------
    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    def let_time_pass(self, sim_seconds: float) -> None:
        """Between two samples of live data: advance the sim clock, or wait on a real gateway."""
        if self.has(CONTROL):
            self.control("POST", "clock", {"advance_s": sim_seconds})
        else:
            time.sleep(self.sample_gap_s)

    def until(self, what: str, done: Callable[[], bool], sim_step_s: float = 2.0) -> float:
        """Poll ``done`` (letting time pass between polls) until it holds, within the run's transition timeout;
        returns the real seconds it took. A real gateway islands in seconds, and reconnects in about 21 s."""
        started = time.monotonic()
        deadline = started + self.transition_timeout_s
        while not done():
            assert time.monotonic() < deadline, (
                f"{what} did not happen within {self.transition_timeout_s:g} s (--transition-timeout)"
            )
            self.let_time_pass(sim_step_s)
        return time.monotonic() - started

    def control(self, method: str, path: str, body: Any = None) -> Any:
        if not self.has(CONTROL):
            raise TargetError(f"{self.name} has no control API")
        response = self.client.request(method, f"/_emulator/{path}", json=body)
        if response.status_code >= 400:
            raise TargetError(f"control API {method} /_emulator/{path}: {response.status_code} {response.text}")
        return response.json()

    # -- restoring what writes changed ---------------------------------------------------
    def remember(self, what: str, restore: Callable[[], None]) -> None:
        self._restorers.append((what, restore))

    def restore(self, what: str) -> None:
        """Undo the newest change remembered as ``what`` now (a test's own step: a cancel, a release), then forget
        it; what it raises is the test's failure, and the change stays remembered for the end of the run."""
        index = max(i for i, (name, _) in enumerate(self._restorers) if name == what)
        self._restorers[index][1]()
        del self._restorers[index]

    def restore_all(self) -> list[str]:
        """Undo every remembered change, newest first; returns what could not be restored."""
        failed = []
        while self._restorers:
            what, restore = self._restorers.pop()
            try:
                restore()
            except Exception as exc:  # keep restoring the rest
                failed.append(f"{what}: {exc}")
        return failed


def identify(
    client: GatewayClient,
    name: str,
    password: str,
    email: str,
    profile: str | None,
    gw_password: str | None = None,
    rsa_key: SigningKey | None = None,
) -> Target:
    """Learn the version and the facts it speaks by: from /api/status (open on every firmware with a LAN API), or, where that is
    404 (a Powerwall 3), from the TEDAPI's system information: over TEDAPI v1r with the owner's key (a
    Powerwall 3's LAN since 25.10), else over the Wi-Fi TEDAPI with the gateway password."""
    response = client.request("GET", "/api/status")
    if response.status_code == 404:
        if rsa_key is not None:
            return _identify_by_v1r(client, name, password, email, profile, gw_password, rsa_key)
        return _identify_by_tedapi(client, name, password, email, profile, gw_password)
    if response.status_code != 200:
        raise TargetError(f"{name} answered GET /api/status with {response.status_code}: is it a Tesla Energy Gateway?")
    try:
        version = str(response.json()["version"])
    except (ValueError, KeyError, TypeError):
        raise TargetError(f"{name}: GET /api/status has no firmware version: is it a Tesla Energy Gateway?") from None
    facts = facts_for(profile) if profile else facts_for_reported(version)
    return Target(
        name=name,
        client=client,
        password=password,
        email=email,
        facts=facts,
        version=version,
        gw_password=gw_password,
        rsa_key=rsa_key,
    )


def _identify_by_v1r(
    client: GatewayClient,
    name: str,
    password: str,
    email: str,
    profile: str | None,
    gw_password: str | None,
    key: SigningKey,
) -> Target:
    """As v1r clients connect: a customer login, GET /tedapi/din with its bearer token, then the signed
    system information. The login's session is the run's (a Powerwall 3 throttles logins)."""
    facts = facts_for(profile) if profile else next(f for f in firmware_facts().values() if f.serves("POST", v1r.PATH))
    body = {"username": facts.username, "password": password, "email": email, "force_sm_off": False}
    login = client.request("POST", "/api/login/Basic", json=body)
    try:
        token = login.json().get("token") if login.status_code == 200 else None
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise TargetError(f"login to {name} refused ({login.status_code}): check --gateway-password")
    cookies = tuple((k, v) for k, v in login.cookies.items() if k in ("AuthCookie", "UserRecord"))
    session = Credentials(token=token, cookies=cookies)
    response = client.request("GET", "/tedapi/din", headers={"authorization": f"Bearer {token}"})
    din = response.text.strip() if response.status_code == 200 else ""
    if not din:
        raise TargetError(f"{name} answered GET /tedapi/din with {response.status_code} to a customer session")
    info = v1r.signed_message(key, din, envelope(din, *system_info_body()))
    answer = client.request("POST", v1r.PATH, headers={"content-type": "application/octet-stream"}, content=info)
    try:
        version = firmware_version(path(answer.content, v1r.PAYLOAD), framed=False) if answer.is_success else ""
    except (WireError, UnicodeDecodeError):
        version = ""
    if not version and profile is None:
        why = _why_unanswered(answer)
        raise TargetError(
            f"{name}: TEDAPI v1r did not answer the system information with key {key.fingerprint[:16]}... ({why}):"
            " is the key registered and verified (the Powerwall 3's switch toggled)? or give --firmware"
        )
    facts = facts_for(profile) if profile else facts_for_reported(version)
    return Target(
        name=name,
        client=client,
        password=password,
        email=email,
        facts=facts,
        version=version or profile or "",
        gw_password=gw_password,
        din=din,
        rsa_key=key,
        _session=session,
    )


def _why_unanswered(answer: httpx.Response) -> str:
    """What a v1r answer says instead of the system information, in a few words."""
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}"
    try:
        status = fields(answer.content).get(v1r.STATUS, [b""])[-1]
        fault = fields(status).get(v1r.MESSAGE_FAULT, [0])[-1] if isinstance(status, bytes) else 0
    except WireError:
        return "not a RoutableMessage"
    if isinstance(fault, int) and fault:
        return f"fault {v1r.fault_name(fault)}"
    return "not verified" if v1r.NOT_VERIFIED.encode() in answer.content.lower() else "no system information"


def _identify_by_tedapi(
    client: GatewayClient, name: str, password: str, email: str, profile: str | None, gw_password: str | None
) -> Target:
    if gw_password is None:
        if profile is None:
            raise TargetError(
                f"{name} has no GET /api/status (a Powerwall 3?): give the owner's TEDAPI v1r key ($TEG_RSA_KEY,"
                " verify --rsa-key, pytest --gateway-rsa-key), the gateway password on its QR sticker"
                " ($TEG_GW_PASSWORD, verify --gw-password, pytest --gateway-gw-password) or --firmware"
            )
        return Target(
            name=name, client=client, password=password, email=email, facts=facts_for(profile), version=profile
        )
    auth = basic_auth(gw_password)
    response = client.request("GET", "/tedapi/din", headers=auth)
    if response.status_code in (401, 403):
        raise TargetError(f"{name} refused the gateway password on GET /tedapi/din ({response.status_code})")
    if response.status_code != 200:
        raise TargetError(f"{name} answered GET /api/status and GET /tedapi/din with 404 and {response.status_code}")
    din = response.text.strip()
    headers = {**auth, "content-type": "application/octet-stream"}
    info = client.request("POST", "/tedapi/v1", headers=headers, content=system_info_request(din))
    try:
        version = firmware_version(info.content) if info.status_code == 200 else ""
    except (WireError, UnicodeDecodeError):
        version = ""
    if not version and profile is None:
        raise TargetError(f"{name}: the TEDAPI system information has no firmware version ({info.status_code})")
    facts = facts_for(profile) if profile else facts_for_reported(version)
    return Target(
        name=name,
        client=client,
        password=password,
        email=email,
        facts=facts,
        version=version or profile or "",
        gw_password=gw_password,
        din=din,
    )
