"""Request rate limits: 429 "Api Limit reached for this endpoint" for a client polling one endpoint too fast.

Real 24.x gateways answer that to clients that poll too fast (Home Assistant #128506,
Powerwall-Dashboard #434; retries of the 404 that 23.44's removed vitals gave tripped it too), and
recovery reportedly takes 10-30 minutes. No source gives the thresholds, so they are a policy the
user chooses -- the firmware facts state an assumed one (``rate_limits`` in
schemas/firmware/<version>.yaml) -- and the limit is off unless switched on.

A client is its remote address; an endpoint is the request's path (a 404 path counts too). Each
(client, endpoint) pair counts requests in fixed windows of ``window_s``; the request past
``requests`` in one window starts a cool-down of ``cooldown_s`` in which that pair is answered 429
without being counted. Times are the gateway's simulated seconds, like every other timer in the
device: a cool-down ends by a clock jump, and at 60x a client polling every real second polls once
a simulated minute. The table is bounded: past ``MAX_TRACKED`` pairs the oldest is forgotten.

Off, the check is one attribute read (:attr:`RequestLimiter.policy` is None): it sits on every request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from emulator.contract import FirmwareFacts
from emulator.durations import parse_duration

MAX_TRACKED = 10_000  # (client, endpoint) pairs remembered; a scan of random paths cannot grow memory past it
MAX_ENDPOINT_CHARS = 256  # a longer path is counted under its first 256 characters
MAX_SHOWN = 100  # pairs in cool-down listed by the control API
DEFAULT_COOLDOWN_S = 600.0  # for a firmware that states no rate limit (1.15.0): the short end of the reported 10-30 min
_RATE = re.compile(r"^\s*(\d{1,9})\s*/\s*(.+?)\s*$")

RateChoice = Literal["on"] | tuple[int, float] | None
"""What a user chose: off (None), the firmware's stated limit ("on"), or (requests, window_s) of their own."""


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """At most ``requests`` per ``window_s`` per client and endpoint; then 429 for ``cooldown_s`` (sim seconds)."""

    requests: int
    window_s: float
    cooldown_s: float

    def __post_init__(self) -> None:
        if not (1 <= self.requests <= 1_000_000 and 0 < self.window_s <= 86_400 and 0 <= self.cooldown_s <= 86_400):
            raise ValueError(
                "a rate limit needs 1 to 1000000 requests, a window of more than 0 s up to a day"
                " and a cool-down of 0 s up to a day"
            )


def parse_rate(text: str) -> tuple[int, float]:
    """``60/1m`` -> (60, 60.0): requests per window, the window in the project's duration syntax."""
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a rate such as 60/1m (requests per window)")
    try:
        window_s = parse_duration(match[2])
    except ValueError as exc:
        raise ValueError(f"{text!r}: the window {exc}") from None
    requests = int(match[1])
    RatePolicy(requests, window_s, 0.0)  # the same bounds as every other way of setting one
    return requests, window_s


def rate_policy(facts: FirmwareFacts, choice: RateChoice, cooldown_s: float | None) -> RatePolicy | None:
    """The policy a gateway of ``facts`` applies for the user's choice; ValueError when "on" has nothing to use."""
    if choice is None:
        return None
    stated = facts.rate_limits
    if choice == "on":
        if stated is None:
            raise ValueError(f"firmware {facts.version} states no request rate limit: give one, such as 60/1m")
        requests, window_s = stated.requests, stated.window_s
    else:
        requests, window_s = choice
    if cooldown_s is None:
        cooldown_s = stated.cooldown_s if stated is not None else DEFAULT_COOLDOWN_S
    return RatePolicy(requests, window_s, cooldown_s)


def parse_choice(text: str) -> RateChoice:
    """A --rate-limit: ``off``, ``on`` (the firmware's stated limit) or ``N/DURATION`` such as ``60/1m``."""
    word = text.strip().lower()
    if word in ("off", "on"):
        return None if word == "off" else "on"
    try:
        return parse_rate(text)
    except ValueError as exc:
        raise ValueError(f"{exc}; or on (the firmware's stated limit) or off") from None


class _Count:
    __slots__ = ("blocked_until", "count", "window_start")

    def __init__(self, now: float) -> None:
        self.window_start = now
        self.count = 0
        self.blocked_until = float("-inf")


class RequestLimiter:
    """Counts requests per (client, endpoint) on the gateway's clock; ``policy`` None means off."""

    def __init__(self, policy: RatePolicy | None, clock: Callable[[], float]) -> None:
        self.policy = policy
        self._clock = clock
        self._counts: dict[tuple[str, str], _Count] = {}

    def set_policy(self, policy: RatePolicy | None) -> None:
        """A new policy (None: off); counting starts afresh, so nobody stays limited by the old one."""
        self.policy = policy
        self._counts.clear()

    def allow(self, client: str, endpoint: str) -> bool:
        """Count one request; False when the pair is (or has just become) limited. Call only while on."""
        policy = self.policy
        if policy is None:
            return True
        now = self._clock()
        key = (client, endpoint[:MAX_ENDPOINT_CHARS])
        count = self._counts.get(key)
        if count is None:
            if len(self._counts) >= MAX_TRACKED:
                del self._counts[next(iter(self._counts))]  # the oldest pair: dicts keep insertion order
            count = self._counts[key] = _Count(now)
        if now < count.blocked_until:
            return False
        if now - count.window_start >= policy.window_s:
            count.window_start, count.count = now, 0
        count.count += 1
        if count.count > policy.requests:
            count.blocked_until = now + policy.cooldown_s
            count.window_start, count.count = count.blocked_until, 0  # a fresh window once the cool-down ends
            return False
        return True

    def limited(self) -> list[dict[str, Any]]:
        """The pairs in cool-down now, longest first (at most ``MAX_SHOWN``), for the control API."""
        now = self._clock()
        found = sorted(
            ((count.blocked_until - now, key) for key, count in self._counts.items() if count.blocked_until > now),
            reverse=True,
        )
        return [{"client": c, "endpoint": e, "for_s": round(left, 3)} for left, (c, e) in found[:MAX_SHOWN]]

    def clear(self) -> None:
        self._counts.clear()
