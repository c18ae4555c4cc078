"""Login sessions and login throttling.

Tokens are 64 random bytes in URL-safe base64 (88 characters, like a real
gateway's). They are stored only as SHA-256 digests and compared in constant
time, and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from emulator.contract import Throttle


@dataclass(frozen=True, slots=True)
class Session:
    """A login's session: the token a client presents, and who logged in when."""

    token: str
    username: str
    email: str | None
    roles: tuple[str, ...]
    login_time: float  # sim time of the login


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def new_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(64)).decode("ascii")


def passwords_match(given: str, expected: str) -> bool:
    """Constant-time password comparison."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


MAX_SESSIONS = 1000  # a client that logs in on every poll must not grow memory without end


class SessionStore:
    """Every valid session; several may be valid at once, as on real gateways.

    At most ``limit`` at once: a new login past it ends the oldest session, as a gateway's
    bounded token table does, so the client holding it gets the usual 401/403 and logs in again.
    """

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self._by_digest: dict[bytes, Session] = {}
        self.limit = limit
        self.generation = 0  # changes whenever a session comes or goes: what was found before may not be now

    def add(self, session: Session) -> None:
        while len(self._by_digest) >= self.limit:
            del self._by_digest[next(iter(self._by_digest))]  # dicts keep insertion order: oldest first
        self._by_digest[_digest(session.token)] = session
        self.generation += 1

    def find(self, token: str) -> Session | None:
        digest = _digest(token)
        session = self._by_digest.get(digest)
        if session is None or not hmac.compare_digest(digest, _digest(session.token)):
            return None
        return session

    def revoke(self, token: str) -> bool:
        self.generation += 1
        return self._by_digest.pop(_digest(token), None) is not None

    def clear(self) -> None:
        self._by_digest.clear()
        self.generation += 1

    def __len__(self) -> int:
        return len(self._by_digest)


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """After ``threshold`` failed logins within ``window_s``, refuse logins for ``cooldown_s``."""

    threshold: int = 5
    window_s: float = 300.0
    cooldown_s: float = 30.0

    def __post_init__(self) -> None:
        if self.threshold < 1 or self.window_s <= 0 or self.cooldown_s < 0:
            raise ValueError("throttle threshold must be >= 1, window > 0 and cool-down >= 0")

    @staticmethod
    def tuned(stated: Throttle | None, threshold: int | None, cooldown_s: float | None) -> ThrottlePolicy | None:
        """The firmware's stated throttle (None: it has none), with a threshold or cool-down given by the user;
        giving either turns a throttle on where the firmware states none (the defaults above fill the rest)."""
        if threshold is None and cooldown_s is None:
            return None if stated is None else ThrottlePolicy(stated.threshold, stated.window_s, stated.cooldown_s)
        base = (
            ThrottlePolicy() if stated is None else ThrottlePolicy(stated.threshold, stated.window_s, stated.cooldown_s)
        )
        return ThrottlePolicy(
            threshold=base.threshold if threshold is None else threshold,
            window_s=base.window_s,
            cooldown_s=base.cooldown_s if cooldown_s is None else cooldown_s,
        )


class LoginThrottle:
    """Counts failed logins in real (not simulated) time, so a cool-down always ends."""

    def __init__(self, policy: ThrottlePolicy | None) -> None:
        self.policy = policy
        self._failures: list[float] = []
        self._locked_until = float("-inf")

    def locked(self, now: float) -> bool:
        return self.policy is not None and now < self._locked_until

    def locked_for(self, now: float) -> float:
        """Real seconds until logins are taken again (0: they are now)."""
        return max(0.0, self._locked_until - now) if self.locked(now) else 0.0

    def record_failure(self, now: float) -> None:
        if self.policy is None:
            return
        horizon = now - self.policy.window_s
        self._failures = [t for t in self._failures if t > horizon] + [now]
        if len(self._failures) >= self.policy.threshold:
            self._locked_until = now + self.policy.cooldown_s
            self._failures.clear()

    def record_success(self) -> None:
        self._failures.clear()

    def reset(self) -> None:
        self._failures.clear()
        self._locked_until = float("-inf")
