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
from collections.abc import Callable, Iterable
from typing import Any

from starlette.routing import compile_path
from starlette.types import Scope

from emulator.contract import ErrorText, FirmwareFacts
from emulator.device.errors import API_LIMIT
from emulator.http.fault_kinds import KINDS, RuleError
from emulator.http.fault_rule import FaultRule

PRESETS: dict[str, tuple[int, Any] | str] = {
    "sitemaster_busy": (502, None),
    "config_busy": (
        503,
        {"code": 503, "error": "current config mode is busy", "message": "current config mode is busy"},
    ),
    "rate_limited": "throttled",  # the firmware's own 429 (its facts' errors.throttled)
    "token_expired": "invalid_credentials",  # the firmware's own answer to a stale token
}
"""Status answers real gateways give, by name: a status and body, or the key of the firmware's facts' error
text (``errors.<key>`` in schemas/firmware/<version>.yaml), so a preset says what the served firmware says."""


Stallable = bool | str | Callable[[], bool | str]
"""Whether a new connection's TLS handshake can be stalled: True, False or a string saying why not; or a function
asked at each tls_stall rule, for a port whose transport follows its firmware (HTTP until an update brings HTTPS)."""

MAX_RULES = 100  # every request scans the list; a harness needs a handful
BODILESS_STATUSES = frozenset({204, 205, 304})  # RFC 9110: these answers never carry content


class FaultEngine:
    def __init__(self, seed: int = 0, *, tls: Stallable = False, clock: Any = None) -> None:
        """``tls``: True when served over HTTPS on a listener of its own, so a handshake can be stalled;
        False, or a string saying why not, otherwise; or a function that says which now (:data:`Stallable`)."""
        self.seed = seed
        self._tls = tls
        self.clock = clock  # () -> float: the same real-time clock rules are stamped with
        self._rng = random.Random(seed)
        self._ids = itertools.count(1)
        self.rules: list[FaultRule] = []

    @property
    def tls(self) -> bool | str:
        """Whether a handshake can be stalled now (True), or not (False, or why not)."""
        return self._tls() if callable(self._tls) else self._tls

    def add(self, spec: dict[str, Any], now: float, known_paths: Iterable[str], facts: FirmwareFacts) -> FaultRule:
        """Store a rule from a validated JSON spec; RuleError (and nothing stored) if it cannot be served.

        ``facts``: the served firmware's, whose error texts the presets that name one answer with."""
        if len(self.rules) >= MAX_RULES:
            raise RuleError(f"at most {MAX_RULES} fault rules at once: delete some first")
        pattern = spec["path"]
        kind = spec["kind"]
        fault = KINDS.get(kind)
        if fault is None:
            raise RuleError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
        fault.check(spec, self.tls)
        hits = [known for known in known_paths if _pattern_hits(pattern, known)]
        if not fault.at_handshake and not hits:
            raise RuleError(f"path pattern {pattern!r} matches no path this emulator serves")
        fault.check_targets(spec, hits)
        preset = spec.get("preset")
        status, body = _preset(preset, facts) if preset else (spec.get("status", 500), spec.get("body"))
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
            status=status,
            body=body,
            created_at=now,
            **{name: spec[name] for name in _kind_values() if name in spec},  # latency_ms, chunk_delay_ms...
        )
        self.rules.append(rule)
        return rule

    def pick(self, method: str, path: str, now: float) -> FaultRule | None:
        """The first active rule for this request that fires (probability drawn per match)."""
        for rule in self.rules:
            kind = KINDS[rule.kind]
            if not (kind.at_handshake or kind.in_route) and rule.matches(method, path) and self._fires(rule, now):
                return rule
        return None

    def pick_in_route(self, scope: Scope, now: float, concerns: Callable[[FaultRule], bool]) -> FaultRule | None:
        """The first active ``in_route`` rule for the request in ``scope`` that ``concerns`` accepts and that fires.

        Asked by the route that answers, once it knows what the request asks (a v1r command): a rule fires,
        and counts, only on the requests it acts on. The rule is noted in the scope, so the journal names it.
        """
        method, path = scope["method"], scope["path"]
        for rule in self.rules:
            if KINDS[rule.kind].in_route and rule.matches(method, path) and concerns(rule) and self._fires(rule, now):
                scope[_FIRED_IN_ROUTE] = rule
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
            if KINDS[rule.kind].at_handshake and self._fires(rule, now):
                return rule.stall_s
        return 0.0

    def remove(self, rule_id: str) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> None:
        self.rules.clear()
        self._rng = random.Random(self.seed)


_FIRED_IN_ROUTE = "teg_emulator.fault"


def fired_in_route(scope: Scope) -> FaultRule | None:
    """The rule the route fired on this request (:meth:`FaultEngine.pick_in_route`), if any."""
    rule: FaultRule | None = scope.get(_FIRED_IN_ROUTE)
    return rule


def _kind_values() -> set[str]:
    """The rule fields the kinds read (each a FaultRule field with its default), besides status and body."""
    return {name for kind in KINDS.values() for name in kind.fields} - {"status", "preset", "body"}


def _preset(name: str, facts: FirmwareFacts) -> tuple[int, Any]:
    """A preset's status and body: its own, or the firmware's error text its facts key names."""
    preset = PRESETS[name]
    if not isinstance(preset, str):
        return preset
    text: ErrorText | None = getattr(facts, preset)
    if text is None:  # a firmware that states no such error (1.15.0 has no throttle): the gateway's usual one
        text = API_LIMIT
    return text.status, text.body()


def _pattern_hits(pattern: str, template: str) -> bool:
    """Whether a glob or an exact path can match a route template such as /api/meters/{serial}/verify."""
    if fnmatch.fnmatchcase(template, pattern):
        return True
    regex, _, _ = compile_path(template)
    return regex.match(pattern) is not None
