"""Catching a gateway's site up to an instant: at once, or in bounded slices with the same result.

A big clock jump (a year through ``POST /_emulator/clock``) costs up to tens of thousands of
model steps. Run at once, that holds the whole process; so a :class:`CatchUp` is a plan that
can also be run a slice at a time (:meth:`CatchUp.run` with a step budget), by whoever drives
it — the serving layer yields to other clients between slices. The plan fixes every stretch's
step times when the stretch starts, so a catch-up run in slices takes exactly the steps the same
catch-up run at once takes, and ends in the same state, bit for bit.

Nothing here knows of asyncio or of time passing: a plan is advanced only when told to.
"""

from __future__ import annotations

import math
from typing import Protocol

from emulator.model import Controls, SiteModel
from emulator.model.site import Stretch


class Catching(Protocol):
    """What a catch-up needs of the gateway it advances (emulator.device.gateway.Gateway)."""

    model: SiteModel

    def controls(self) -> Controls: ...

    def next_deadline(self, target: float) -> float:
        """The first instant up to ``target`` at which a state machine or timer acts."""
        ...

    def fire_due(self) -> None:
        """Fire the scenario timers due at the model's current time."""
        ...

    def reached(self, at: float) -> None:
        """The model has reached deadline ``at``: let the state machines and timers act."""
        ...


class CatchUp:
    """Advance a gateway's model to ``target``, stopping at every deadline on the way.

    At most ``max_steps`` model steps in all (plus one per deadline), shared among the stretches
    between deadlines by length, so a jump of any size, with any number of timers in it, costs
    bounded work. Within budget every stretch keeps ``step_s`` steps.
    """

    def __init__(self, target: float, start: float, max_steps: int, step_s: float) -> None:
        self.target = target
        self.gap = target - start
        self.max_steps = max_steps
        self.step_s = step_s
        self._started = False
        self._stretch: Stretch | None = None
        self._stop = start

    def run(self, gateway: Catching, budget: int) -> bool:
        """Take at most ``budget`` model steps of the plan (a stretch's start counts as one); True when done.

        Between calls the gateway sits at the end of a whole step: consistent, just not at ``target`` yet.
        """
        model, left = gateway.model, budget
        if not self._started:
            self._started = True
            gateway.fire_due()
        while True:
            if self._stretch is None:
                t = model.state.t
                if t >= self.target:
                    return True
                if left <= 0:
                    return False
                stop = self._stop = min(self.target, gateway.next_deadline(self.target))
                share = max(1, math.ceil(self.max_steps * (stop - t) / self.gap - 1e-9))
                self._stretch = model.plan(stop, gateway.controls(), max_steps=share, step_s=self.step_s)
                left -= 1
            take = min(self._stretch.remaining, left)
            left -= take
            if not model.run(self._stretch, take):
                return False
            self._stretch = None
            gateway.reached(self._stop)
