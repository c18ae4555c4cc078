"""What a body renderer may read: the gateway at one sim instant, complete and immutable.

Renderers (emulator.firmware) are pure functions of a :class:`Snapshot`: they never
see the gateway, so a rendered body can be cached per snapshot and served to every
poller of that sample, and the firmware layer does not import the device layer's
state machines (no gateway -> profile -> bodies -> gateway cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from emulator.device.identity import Identity
from emulator.device.site_controls import SiteControlsView
from emulator.model import OPERATION_MODES, Flows, SiteConfig, StateReading


@dataclass(frozen=True, slots=True)
class Operation:
    """The operation mode and backup reserve the gateway runs (or has staged) -- what GET /api/operation shows."""

    mode: str
    backup_reserve_percent: float

    def __post_init__(self) -> None:
        if self.mode not in OPERATION_MODES:
            raise ValueError(f"unknown operation mode {self.mode!r}")
        if not 0.0 <= self.backup_reserve_percent <= 100.0:
            raise ValueError("backup_reserve_percent must be within 0..100")


@dataclass(frozen=True, slots=True)
class GridFault:
    """An alert the Powerwalls raise when the grid goes away (newer firmware lists them)."""

    t: float
    alert_name: str


@dataclass(frozen=True, slots=True)
class UpdateView:
    """The firmware-update machine as /api/system/update/status shows it."""

    state: str
    status: str
    last_status_time: float
    installing: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a body renderer may need, read at one sim instant; nothing in it changes later."""

    t: float
    flows: Flows
    soe_pct: float
    state: StateReading
    # the grid
    grid_status: str
    grid_connected: bool
    grid_utility_up: bool
    grid_services_active: bool
    grid_faults: tuple[GridFault, ...]
    # sitemaster and configuration
    sitemaster_running: bool
    sitemaster_since: float
    started_at: float
    operation: Operation
    staged_operation: Operation | None
    commission_count: int
    site_name: str
    registration_skipped: bool
    registration_emailed: bool
    disabled_networks: frozenset[str]
    conn_tests_started: float | None
    conn_tests_done: bool | None  # None: never started; False: running; True: complete
    update: UpdateView
    # fixed facts of this gateway
    config: SiteConfig
    identity: Identity
    zone: tzinfo
    version_string: str
    git_hash: str
    # the owner's controls as TEDAPI v1r commands set them
    site_controls: SiteControlsView
