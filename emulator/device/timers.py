"""Timers: actions the gateway runs at given sim instants (a scenario's events).

The gateway fires them from inside its catch-up, with the model stepped to
exactly the timer's instant, so every client -- an HTTP poller, the control
API, the offline scenario runner -- sees an event happen at the same sim time
however fast the clock runs or however rarely anyone looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.device.gateway import Gateway


@dataclass(frozen=True, slots=True)
class Timer:
    """One scheduled action. ``label`` is what people read (``grid_down``); ``detail`` its parameters."""

    at: float  # POSIX sim seconds
    label: str
    action: Callable[[Gateway], None] = field(compare=False, repr=False)
    detail: dict[str, Any] = field(default_factory=dict, compare=False)
