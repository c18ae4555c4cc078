"""The contract's operations: openapi.yaml's paths, each with the firmware profiles that serve it.

Which firmware serves an operation, and whether it needs a login there, are firmware facts
(schemas/firmware/); everything else about an operation (statuses, bodies, safety) is openapi.yaml's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from emulator.contract.facts import firmware_facts
from emulator.contract.files import load_spec


@dataclass(frozen=True)
class Operation:
    """One operation of openapi.yaml (a method on a path) and the firmware that serve it, open or behind a login."""

    method: str
    path: str  # the template, e.g. /api/meters/{serial}/verify
    operation_id: str
    firmware: tuple[str, ...]
    open_in: tuple[str, ...]
    responses: dict[str, Any]
    route: str | None  # the emulator's route name for /api/ operations
    fleet_only: bool = False
    safety: str = "read"  # read | write | disruptive: what calling it does to a real site
    replay_only: bool = False  # served by `serve --replay`, not by a simulated gateway
    # "stopped": answers only while sitemaster is stopped (commissioning), a 400 while it runs
    needs_sitemaster: str | None = None

    def serves(self, firmware: str) -> bool:
        return firmware in self.firmware

    def needs_login(self, firmware: str) -> bool:
        return firmware not in self.open_in

    def response_schema(self, status: int) -> str | None:
        """The schema name of the JSON body for a status, or None when that status has no body."""
        response = self.responses.get(str(status))
        if response is None:
            return None
        content = response.get("content", {}).get("application/json")
        if content is None:
            return None
        return _schema_name(content["schema"]["$ref"])

    def media_type(self, status: int) -> str | None:
        """The documented content type of a status's body (application/json, application/octet-stream), if any."""
        content = self.responses.get(str(status), {}).get("content", {})
        return next(iter(content), None)

    def documents(self, status: int) -> bool:
        return str(status) in self.responses


def _schema_name(ref: str) -> str:
    return ref.split("schemas/", 1)[1]


@lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    facts = firmware_facts()
    found = []
    for path, item in load_spec()["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=op["operationId"],
                    firmware=tuple(v for v, f in facts.items() if f.serves(method, path)),
                    open_in=tuple(v for v, f in facts.items() if f.serves(method, path) and f.is_open(method, path)),
                    responses=op["responses"],
                    route=op.get("x-teg-route"),
                    fleet_only=bool(op.get("x-teg-fleet-only", False)),
                    safety=op.get("x-teg-safety", "read"),
                    replay_only=bool(op.get("x-teg-replay-only", False)),
                    needs_sitemaster=op.get("x-teg-needs-sitemaster"),
                )
            )
    return tuple(found)


@cache
def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")


def operation_for(method: str, concrete_path: str) -> Operation | None:
    """The operation a concrete request path belongs to (templates match one path segment per parameter)."""
    method = method.upper()
    exact = [op for op in operations() if op.method == method and op.path == concrete_path]
    if exact:
        return exact[0]
    for op in operations():
        if op.method == method and _template_regex(op.path).match(concrete_path):
            return op
    return None


def response_schema_for(method: str, path: str, status: int) -> str | None:
    op = operation_for(method, path)
    return op.response_schema(status) if op else None
