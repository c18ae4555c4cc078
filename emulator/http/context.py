"""The application's state, typed: what every route of one served gateway shares.

Starlette offers ``app.state``, an untyped bag; reading ``request.app.state.gateway``
in a dozen modules means no checker knows what is there, and a typo is an
AttributeError at request time. Instead the app holds one :class:`AppContext`
and routes ask :func:`context` for it. A replay keeps its extra state on its
own subclass (:class:`emulator.replay.app.ReplayContext`), so this module
needs to know nothing of replays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request

from emulator.device.gateway import Gateway
from emulator.http.faults import FaultEngine
from emulator.http.guard import ControlPolicy
from emulator.http.journal import Journal

if TYPE_CHECKING:
    from emulator.scenario.spec import Scenario  # only held here; loading scenarios waits until one is used


@dataclass
class AppContext:
    """One served gateway: the device, the traffic it sees, and the scenario it plays (if any)."""

    gateway: Gateway
    faults: FaultEngine
    journal: Journal
    traffic_clock: Callable[[], float]  # real seconds since the app was built (fault rules' timing)
    scenario: Scenario | None = None  # serve --scenario, POST /_emulator/scenario
    control: ControlPolicy = field(default_factory=ControlPolicy)  # who may use /_emulator (emulator.http.guard)
    failures: list[str] = field(default_factory=list)  # the emulator's own errors (bugs), for a test to fail on
    fixed_transport: str | None = None  # why the port cannot follow a firmware update HTTP <-> HTTPS (a fleet's)

    def recorded_paths(self) -> dict[str, list[str]] | None:
        """A replay's recorded paths and their methods; None for a simulated gateway (it serves its firmware's)."""
        return None


def attach(app: Starlette, ctx: AppContext) -> None:
    """Give ``app`` its context; done once, where the app is built."""
    app.state.context = ctx


def app_context(app: Starlette) -> AppContext:
    """The context of an app built by :func:`emulator.serving.app.gateway_app`."""
    ctx = find_context(app)
    if ctx is None:
        raise TypeError(f"{app!r} was not built by gateway_app")
    return ctx


def find_context(app: object) -> AppContext | None:
    """The context of ``app`` if it is a gateway app, else None (a bare ASGI app, a fleet)."""
    ctx = getattr(app.state, "context", None) if isinstance(app, Starlette) else None
    return ctx if isinstance(ctx, AppContext) else None


def context(request: Request) -> AppContext:
    """The context of the app answering ``request``."""
    return app_context(request.app)
