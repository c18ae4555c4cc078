"""Fault injection: rules that make chosen requests misbehave on purpose.

A rule names a path pattern (a glob, or an exact path) and a method, when it
fires (a probability, the next N matching requests, a window of real time)
and what happens (latency, a given status and body, a dropped connection, a
truncated or malformed body, a slow body). Random draws come from one
``random.Random(seed)``, so a run is repeatable under ``--seed``.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import compile_path

KINDS = ("latency", "status", "drop", "truncate", "malformed", "slow_body", "tls_stall")
PRESETS: dict[str, tuple[int, Any]] = {
    "sitemaster_busy": (502, None),
    "config_busy": (
        503,
        {"code": 503, "error": "current config mode is busy", "message": "current config mode is busy"},
    ),
    "rate_limited": (
        429,
        {"code": 429, "error": "Api Limit reached for this endpoint", "message": "API Limit Reached"},
    ),
    "token_expired": (401, {"code": 401, "error": "Token Expired", "message": "Invalid token, please log in again"}),
}


MAX_RULES = 100  # every request scans the list; a harness needs a handful
BODILESS_STATUSES = frozenset({204, 205, 304})  # RFC 9110: these answers never carry content


class RuleError(ValueError):
    """A rule that cannot be stored; the message names the problem."""


@dataclass
class FaultRule:
    id: str
    path: str
    method: str | None
    kind: str
    probability: float = 1.0
    count: int | None = None  # fire for the next N matching requests, then retire
    after_s: float = 0.0  # real seconds after the rule was added before it starts
    for_s: float | None = None  # real seconds it stays active
    latency_ms: float = 0.0
    status: int = 500
    body: Any = None  # JSON value, or a string sent as text; None: empty body
    chunk_delay_ms: float = 200.0
    stall_s: float = 0.0  # tls_stall: how long a new connection's handshake is held
    created_at: float = 0.0
    hits: int = field(default=0)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "created_at"}

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and _path_matches(self.path, path)

    def active(self, now: float) -> bool:
        started = self.created_at + self.after_s
        if now < started or (self.count is not None and self.count <= 0):
            return False
        return self.for_s is None or now < started + self.for_s


def _path_matches(pattern: str, path: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern)


class FaultEngine:
    def __init__(self, seed: int = 0, *, tls: bool | str = False, clock: Any = None) -> None:
        """``tls``: True when served over HTTPS on a listener of its own, so a handshake can be stalled;
        False, or a string saying why not, otherwise."""
        self.seed = seed
        self.tls = tls
        self.clock = clock  # () -> float: the same real-time clock rules are stamped with
        self._rng = random.Random(seed)
        self._ids = itertools.count(1)
        self.rules: list[FaultRule] = []

    def add(self, spec: dict[str, Any], now: float, known_paths: Iterable[str]) -> FaultRule:
        """Store a rule from a validated JSON spec; RuleError (and nothing stored) if it cannot be served."""
        if len(self.rules) >= MAX_RULES:
            raise RuleError(f"at most {MAX_RULES} fault rules at once: delete some first")
        pattern = spec["path"]
        if spec["kind"] == "tls_stall":
            if self.tls is not True:
                raise RuleError(self.tls or "tls_stall needs an HTTPS server (start it with TLS)")
            if pattern != "*" or spec.get("method"):
                raise RuleError("tls_stall happens before any request: use path '*' and no method")
        elif not any(_pattern_hits(pattern, known) for known in known_paths):
            raise RuleError(f"path pattern {pattern!r} matches no path this emulator serves")
        kind = spec["kind"]
        preset = spec.get("preset")
        status, body = PRESETS[preset] if preset else (spec.get("status", 500), spec.get("body"))
        if kind != "status" and preset:
            raise RuleError("a preset only applies to kind 'status'")
        if status in BODILESS_STATUSES and body is not None:
            raise RuleError(f"a {status} answer cannot carry a body (RFC 9110): drop 'body' or pick another status")
        rule = FaultRule(
            id=f"f{next(self._ids)}",
            path=pattern,
            method=spec.get("method", "").upper() or None,
            kind=kind,
            probability=spec.get("probability", 1.0),
            count=spec.get("count"),
            after_s=spec.get("after_s", 0.0),
            for_s=spec.get("for_s"),
            latency_ms=spec.get("latency_ms", 0.0),
            status=status,
            body=body,
            chunk_delay_ms=spec.get("chunk_delay_ms", 200.0),
            stall_s=spec.get("stall_s", 0.0),
            created_at=now,
        )
        self.rules.append(rule)
        return rule

    def pick(self, method: str, path: str, now: float) -> FaultRule | None:
        """The first active rule for this request that fires (probability drawn per match)."""
        for rule in self.rules:
            if rule.kind != "tls_stall" and rule.matches(method, path) and self._fires(rule, now):
                return rule
        return None

    def _fires(self, rule: FaultRule, now: float) -> bool:
        """Whether an applicable rule fires now (window, count, probability); counts the hit if so."""
        if not rule.active(now) or (rule.probability < 1.0 and self._rng.random() >= rule.probability):
            return False
        rule.hits += 1
        if rule.count is not None:
            rule.count -= 1
        return True

    def stall_s(self) -> float:
        """Seconds to hold a new connection's TLS handshake (0: none); consumes a tls_stall rule's count."""
        now = self.clock() if self.clock else 0.0
        for rule in self.rules:
            if rule.kind == "tls_stall" and self._fires(rule, now):
                return rule.stall_s
        return 0.0

    def remove(self, rule_id: str) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> None:
        self.rules.clear()
        self._rng = random.Random(self.seed)


def _pattern_hits(pattern: str, template: str) -> bool:
    """Whether a glob or an exact path can match a route template such as /api/meters/{serial}/verify."""
    if fnmatch.fnmatchcase(template, pattern):
        return True
    regex, _, _ = compile_path(template)
    return regex.match(pattern) is not None
