"""One deliberately broken gateway: what a mutant changes, and which contract check must catch it.

The lists are tests/support/mutants.py and tests/support/mutants_v1r.py; tests/support/mutated_gateway.py
applies one to the emulator's app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Body = Any
Edit = Callable[[Body], Body]


@dataclass(frozen=True)
class Mutant:
    name: str
    firmware: str
    path: str | None = None  # the response to change (None: the request side only)
    edit: Edit | None = None  # JSON body -> JSON body
    status: int | None = None  # answer this status instead
    content_type: str | None = None
    open_up: bool = False  # send the request on with valid credentials whatever it carried
    accept_any_password: bool = False
    keep_session_on_logout: bool = False
    strip_cookies: bool = False
    login_keeps_sitemaster: bool = False  # a login leaves sitemaster running (1.15.0 stops it)
    tedapi_open: bool = False  # the TEDAPI answers whatever Basic credentials (or none) a request carries
    applies_at_once: bool = False  # POST /api/operation takes effect without GET /api/config/completed
    v1r: str | None = None  # a TEDAPI v1r request rewritten: a check broken, a command not carried out (v1r_mutants.py)
    v1r_reply: str | None = None  # a TEDAPI v1r answer edited (tests/support/v1r_replies.py)
    start_hour_utc: int = 19  # 12:00 in Los Angeles; 03:00 UTC is 20:00 there: no sun, the battery carries the house
    # The contract checks whose failure names this fault ("module.py::test_name[param]", fnmatch patterns):
    # the suite must fail on one of these, not merely fail (tests/support/contract_runs.misjudged).
    caught_by: tuple[str, ...] = ()
    says: str | None = None  # and, where a check's name alone is too wide, what its message must say
