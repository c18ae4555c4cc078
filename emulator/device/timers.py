"""Timers: actions the gateway runs at given sim instants (a scenario's events).

The gateway fires them from inside its catch-up, with the model stepped to
exactly the timer's instant, so every client -- an HTTP poller, the control
API, the offline scenario runner -- sees an event happen at the same sim time
however fast the clock runs or however rarely anyone looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Target = TypeVar("Target")


@dataclass(frozen=True, slots=True)
class Timer(Generic[Target]):
    """One scheduled action on a target (the gateway: ``Timer[Gateway]``).

    ``label`` is what people read (``grid_down``); ``detail`` its parameters.
    Generic in its target so that this module need not know the gateway, which
    holds and fires timers: neither depends on the other's internals.
    """

    at: float  # POSIX sim seconds
    label: str
    action: Callable[[Target], None] = field(compare=False, repr=False)
    detail: dict[str, Any] = field(default_factory=dict, compare=False)
