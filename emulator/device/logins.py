"""Who may talk to the gateway: the password check, the lockout after wrong passwords, sessions that expire.

Logins have state and rules of their own, so the gateway owns them as one collaborator (``gateway.logins``)
rather than as a dozen of its attributes: the sessions (:mod:`emulator.device.sessions`), the login throttle
(counted in real time, so a cool-down always ends) and how long a session lasts (on the simulated clock, so
a clock jump expires a session as a day of waiting would). Each limit is the firmware's, as its facts state
it, unless the user chose one (``serve --login-throttle``, ``--session-lifetime``, or the lockout through the
control API: :meth:`Logins.set_throttle`). What the user chose outlives a firmware update: it is the emulator
operator's setting, not the firmware's, so only a reset returns to the start's.

The gateway's password is the gateway's (it is shown, changed and reset with the site); a login is checked
against the one it is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from emulator.contract import FirmwareFacts
from emulator.device.errors import API_LIMIT, GatewayError
from emulator.device.events_log import log, sim
from emulator.device.sessions import LoginThrottle, Session, SessionStore, ThrottlePolicy, new_token, passwords_match


class Logins:
    """The sessions and the two limits on them, for one gateway; ``now`` and ``real_time`` are its clock's."""

    def __init__(self, now: Callable[[], float], real_time: Callable[[], float]) -> None:
        self._now = now
        self._real_time = real_time
        self.sessions = SessionStore()
        self.throttle = LoginThrottle(None)
        self.lifetime_s = math.inf
        """Simulated seconds a session lasts (inf: for ever)."""
        self._chosen: tuple[int | None, float | None, float | None] = (None, None, None)
        self._set: tuple[ThrottlePolicy | None] | None = None  # the lockout set at run time (None: none was)

    def start(
        self, facts: FirmwareFacts, throttle: int | None, cooldown_s: float | None, lifetime_s: float | None
    ) -> None:
        """The gateway (re)starts: no session, and the limits the user chose (None: the firmware's)."""
        self.sessions.clear()
        self._chosen = (throttle, cooldown_s, lifetime_s)
        self._set = None
        self.use_facts(facts)

    def use_facts(self, facts: FirmwareFacts) -> None:
        """Another firmware is in charge (it boots: the count of wrong passwords starts again): its limits
        apply wherever the user chose none."""
        threshold, cooldown_s, lifetime_s = self._chosen
        chosen = self._set[0] if self._set is not None else ThrottlePolicy.tuned(facts.throttle, threshold, cooldown_s)
        self.throttle = LoginThrottle(chosen)
        stated = facts.session_lifetime_s
        self.lifetime_s = lifetime_s if lifetime_s is not None else stated if stated is not None else math.inf

    def set_throttle(self, policy: ThrottlePolicy | None) -> None:
        """The lockout the operator sets at run time (None: none), with a fresh count; it holds until a reset."""
        self._set = (policy,)
        self.throttle = LoginThrottle(policy)

    def check(self, username: str, given: str, password: str, facts: FirmwareFacts) -> None:
        """Refuse a login while logins are locked out, or for a wrong password (GatewayError: the firmware's
        answer); a wrong one counts toward the lockout, a right one clears the count."""
        real_now = self._real_time()
        if self.throttle.locked(real_now):
            log.info("login refused for %r: throttled after too many wrong passwords", username)
            raise GatewayError.of(facts.throttled or API_LIMIT)
        if not passwords_match(given, password):
            self.throttle.record_failure(real_now)
            log.info("login refused for %r: wrong password", username)
            raise GatewayError.of(facts.bad_credentials)
        self.throttle.record_success()

    def open(self, username: str, email: str | None, roles: tuple[str, ...], now: float) -> Session:
        """A new session, logged in at ``now`` (simulated seconds)."""
        session = Session(new_token(), username, email, roles, now)
        self.sessions.add(session)
        return session

    def authenticate(self, token: str) -> Session | None:
        """The live session ``token`` names; None when there is none or it has outlived the session lifetime."""
        session = self.sessions.find(token)
        if session is not None and self._now() >= session.login_time + self.lifetime_s:
            self.sessions.revoke(token)
            log.info("session of %r expired (logged in at %s)", session.username, sim(session.login_time))
            return None
        return session

    def logout(self, token: str | None) -> None:
        if token:
            self.sessions.revoke(token)
