"""Answers written the moment a request is whole: the hot polls, without an ASGI task.

A poll of a snapshot read, or a TEDAPI read (pypowerwall's on v1, aiopowerwall's signed on v1r), is answered by the middleware's fast
paths (:mod:`emulator.serving.fast`, :mod:`emulator.serving.fast_tedapi`) from bytes already made. Even so,
through ASGI each one costs a task, the middleware chain and uvicorn's ``send``, which checks every header
with two regular expressions: for a 31-byte ``soe`` more than the answer itself. Everything the answer needs
is known when the request's last byte arrives, so the httptools protocol
(:mod:`emulator.serving.httptools_protocol`) asks :class:`AtOnce` at that moment and writes what it gets.

:class:`AtOnce` answers exactly what the middleware's fast paths answer, with the same headers, the same
journal entry and the same debug line, and declines everything else -- including every request while a
fault rule exists (picking a rule is the middleware's business) -- which the full stack then answers as
before; likewise while a firmware update has been scheduled or rate limits are on (the middleware cuts a
rebooting gateway's requests and answers 429 first). :class:`Recorder` is what both leave behind for a
request: the journal entry and the debug line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.types import Scope

from emulator.device.events_log import log
from emulator.device.firmware_update import DONE_PHASE
from emulator.device.gateway import Gateway
from emulator.http.faults import FaultEngine
from emulator.http.journal import Journal, redact_body, redact_headers, redact_query, shared
from emulator.serving.fast import FastReads
from emulator.serving.fast_tedapi import ROUTE_NAMES, FastTedapi


class Recorder:
    """The journal entry and the debug line of every request a gateway answers (faulted ones too)."""

    def __init__(
        self, journal: Journal, sim_time: Callable[[], float], clock: Callable[[], float], gateway: Gateway | None
    ) -> None:
        self.journal = journal
        self.sim_time = sim_time  # () -> float: the gateway's sim clock
        self.now = clock  # () -> float: real seconds since the app was made
        self.gateway = gateway  # the firmware that answered (None: not a gateway's own app)

    def record(
        self, scope: Scope, parts: list[bytes], status: int, began: float, sim_began: float, rule_id: str | None
    ) -> None:
        headers = redact_headers(scope.get("headers", []))
        body = b"".join(parts)
        content_type = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), "") if body else ""
        query = scope.get("query_string")
        self.journal.record(
            began,
            sim_began,
            scope["method"],
            shared(scope["path"]),
            shared(redact_query(query.decode("latin-1"))) if query else "",
            headers,
            redact_body(body, content_type),
            status,
            (self.now() - began) * 1000,
            rule_id,
            *self._firmware(sim_began),
        )

    def _firmware(self, sim_began: float) -> tuple[str | None, str | None]:
        """The version that answered, and a firmware update's phase when the request arrived (if one is under way)."""
        gateway = self.gateway
        if gateway is None:
            return None, None
        change = gateway.firmware.change
        phase = change.phase_at(sim_began) if change is not None else None
        version = gateway.firmware.facts_at(sim_began, gateway.facts).version
        return shared(version), None if phase == DONE_PHASE else phase

    def debug(self, method: str, path: str, status: int, began: float, route: str) -> None:
        """--log-level debug: each request's route and latency (never its headers or body)."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %d in %.1f ms (route %s)", method, path, status, (self.now() - began) * 1000, route)


AnswerAtOnce = Callable[[Scope, bytes], "tuple[bytes, bytes] | None"]
"""(scope, the whole request body) -> (the response's header lines after uvicorn's own, ending in the blank
line; its body), or None to let the full stack answer. What :mod:`emulator.serving.httptools_protocol` asks."""


class AtOnce:
    def __init__(
        self,
        faults: FaultEngine,
        recorder: Recorder,
        fast: FastReads | None,
        tedapi: FastTedapi | None,
        gateway: Gateway,
    ) -> None:
        self.gateway = gateway
        self.faults = faults
        self.recorder = recorder
        self.fast = fast
        self.tedapi = tedapi

    def __call__(self, scope: Scope, body: bytes) -> tuple[bytes, bytes] | None:
        """The answer to a whole request, its journal entry recorded; None when the full stack must answer."""
        gateway = self.gateway
        if self.faults.rules or gateway.firmware.ever or gateway.rate_limits.policy is not None:
            return None  # a fault rule, a firmware update, a rate limit: the middleware's, in its order
        recorder, fast, tedapi = self.recorder, self.fast, self.tedapi
        if fast is not None and scope["path"] in fast.reads:
            began, sim_began = recorder.now(), recorder.sim_time()
            answer = fast.body_for(scope)
            head = None if answer is None else fast.head(answer)
            if answer is None or head is None:
                return None
            recorder.record(scope, [], 200, began, sim_began, None)
            recorder.debug(
                scope["method"], scope["path"], 200, began, fast.reads[scope["path"]][0].name + " (cached bytes)"
            )
            return head, answer
        if tedapi is not None and tedapi.length(scope) is not None:
            began, sim_began = recorder.now(), recorder.sim_time()
            path = scope["path"]
            answer = tedapi.answer(path, body)
            if answer is None:
                return None
            recorder.record(scope, [body], 200, began, sim_began, None)
            recorder.debug(scope["method"], path, 200, began, f"{ROUTE_NAMES[path]} (fast path)")
            return tedapi.head(answer), answer
        return None
