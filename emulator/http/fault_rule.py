"""A fault rule: which requests it matches, when it fires, and the values its kind reads."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultRule:
    """A fault rule as stored: what it matches, when it fires and what it does (emulator.http.faults)."""

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
    drift: str = ""  # drift: remove | null | empty | retype (emulator.http.drift)
    pointer: str = ""  # drift: where in the JSON body, e.g. /site/instant_power or /*/instant_average_voltage
    message_fault: str | int | None = None  # v1r_fault: a MessageFault's name (UNKNOWN_KEY_ID) or number
    command: str = ""  # the v1r kinds: the command it acts on, by the dispatcher's name (dispatch_battery_power)
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
