"""A clock jump shares the event loop: it runs in slices, and only its own gateway's requests wait for it.

``POST /_emulator/clock {"advance_s": ...}`` can ask a gateway to catch up a year: up to
``ADVANCE_MAX_STEPS`` model steps, most of a second of CPU. Run at once on the event loop, every
client of the process — other gateways of a fleet, plain polls — waited that long. Here the
catch-up runs as a plan (emulator.device.catchup) of at most ``SLICE_STEPS`` steps per event-loop
turn (a few ms), and the loop serves everyone else in between.

Requests to the gateway being advanced wait until the jump is done, then act on the advanced
site. A jump is a write, and it is acknowledged by the clock at once; answering from the site as
it was before the jump would show a clock that already reads the new time next to a site that
does not, and would make a write that arrives mid-jump act on a half-advanced site. Waiting gives
every path (polls, logins, writes, TEDAPI, the control API's state) one rule: a request sees the
gateway before a jump or after it, never during. Jumps and the requests waiting for them queue
first come, first served, so a request waits for the work of the jumps ahead of it only, and a
client jumping again and again cannot starve the gateway's readers. The traffic routes (faults, journal) and served documents never touch the
site, so they answer at once.

The rule is kept twice. Here, for availability: a request waits at the door (:class:`WaitForJump`)
and again after reading its body (:func:`settled`), and acts without awaiting in between. In the
gateway, for correctness: anything that reaches the site mid-jump (a path that did not wait)
finishes the jump first, at once — slower, never inconsistent.

A client that disconnects mid-jump leaves no one stuck: the plan stays on the gateway and the
next request to it drives the rest, in slices, under the same lock.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.device.gateway import Gateway

SLICE_STEPS = 250  # model steps per event-loop turn: ~2 ms of CPU on an idle core, ~4 ms on a loaded one
_UNGATED = (
    "/_emulator/faults",
    "/_emulator/requests",
    "/_emulator/docs",
    "/_emulator/openapi.yaml",
    "/_emulator/schemas/",
)


class GatewayTurn:
    """Serialises the clock jumps of one gateway, and lets other requests wait for the one running."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current_lock(self) -> asyncio.Lock:
        """One lock per event loop: a test client may serve the same gateway from a new loop later."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def settled(self) -> None:
        """Return once no jump is half-run (driving one whose client went away)."""
        while self.gateway.catching_up:
            async with self._current_lock():
                await self.drive()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold the gateway's turn (first come, first served) for a jump: begin it, then :meth:`drive` it."""
        async with self._current_lock():
            await self.drive()
            yield

    async def drive(self) -> None:
        """Run the pending catch-up to its end, a slice per event-loop turn (call it inside :meth:`exclusive`)."""
        while not self.gateway.catch_up_slice(SLICE_STEPS):
            await asyncio.sleep(0)


_TURNS: weakref.WeakKeyDictionary[Gateway, GatewayTurn] = weakref.WeakKeyDictionary()


def turn_of(gateway: Gateway) -> GatewayTurn:
    """The gateway's one turn, shared by every app serving it."""
    turn = _TURNS.get(gateway)
    if turn is None:
        turn = _TURNS[gateway] = GatewayTurn(gateway)
    return turn


async def settled(gateway: Gateway) -> None:
    """Wait for a jump in progress on ``gateway``; free when there is none. Act on it without awaiting after."""
    if gateway.catching_up:
        await turn_of(gateway).settled()


class WaitForJump:
    """ASGI middleware: a request to a gateway in mid-jump waits for the jump before it is answered."""

    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gateway.catching_up and scope["type"] == "http" and not scope["path"].startswith(_UNGATED):
            await turn_of(self.gateway).settled()
        await self.app(scope, receive, send)
