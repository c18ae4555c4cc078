"""The grid-status state machine the gateway reports at /api/system_status/grid_status.

The utility can be up or down, and the owner can ask to island on purpose;
the gateway moves between connected and islanded through transition states
that last a configurable number of simulated seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.device.events_log import log, sim

CONNECTED = "SystemGridConnected"
ISLANDED_READY = "SystemIslandedReady"
ISLANDED = "SystemIslandedActive"
TO_GRID = "SystemTransitionToGrid"
TO_ISLAND = "SystemTransitionToIsland"
WAIT_FOR_USER = "SystemWaitForUser"
MICROGRID_FAULTED = "SystemMicroGridFaulted"
GRID_STATUSES = (CONNECTED, ISLANDED_READY, ISLANDED, TO_GRID, TO_ISLAND, WAIT_FOR_USER, MICROGRID_FAULTED)


@dataclass(frozen=True, slots=True)
class GridTimings:
    """How long the gateway's grid transitions take, as a real gateway's contactor and resync do."""

    to_island_s: float = 1.0  # the gateway's contactor opens within a second
    resync_s: float = 10.0  # the grid is back but not yet in sync for this long


class GridMachine:
    """Tracks the utility, the owner's island request and the reported status."""

    def __init__(self, timings: GridTimings = GridTimings()) -> None:
        self.timings = timings
        self.utility_up = True
        self.island_requested = False
        self.status = CONNECTED
        self.deadline: float | None = None

    @property
    def connected(self) -> bool:
        """Whether the site exchanges power with the grid right now."""
        return self.status == CONNECTED

    def set_utility(self, up: bool, now: float) -> None:
        self.utility_up = up
        self._steer(now)

    def request_island(self, island: bool, now: float) -> None:
        self.island_requested = island
        self._steer(now)

    def _steer(self, now: float) -> None:
        want_grid = self.utility_up and not self.island_requested
        if want_grid and self.status in (ISLANDED, TO_ISLAND):
            self._enter(TO_GRID, now, self.timings.resync_s)
        elif not want_grid and self.status in (CONNECTED, TO_GRID):
            self._enter(TO_ISLAND, now, self.timings.to_island_s)

    def _enter(self, status: str, now: float, duration: float) -> None:
        log.info("grid: %s -> %s at %s", self.status, status, sim(now))
        self.status, self.deadline = status, now + duration
        if duration <= 0:
            self.fire(now)

    def fire(self, now: float) -> None:
        """Complete a transition whose deadline has passed."""
        if self.deadline is None or now < self.deadline:
            return
        self.deadline = None
        settled = CONNECTED if self.status == TO_GRID else ISLANDED
        log.info("grid: %s -> %s at %s", self.status, settled, sim(now))
        self.status = settled
