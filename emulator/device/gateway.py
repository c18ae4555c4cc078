"""The gateway: the device and its state machines, owning one site model and one clock.

It holds the site's state and is the only thing that advances it: every read first catches the model up to
``clock.now()`` in bounded work. The catch-up, the snapshot cache and a firmware update's reboot are here, on
every request's path or inside the catch-up. What changes the state lives beside it, as functions over it:
what clients ask (logins, sitemaster, configuration: :mod:`emulator.device.commands`) and what only the
emulator does (:mod:`emulator.device.direct_control`). Its state machines are collaborators it owns
(the grid, updates, logins, site controls, rate limits, authorized clients).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.contract import FirmwareFacts
from emulator.device.authorized_clients import AuthorizedClients
from emulator.device.catchup import CatchUp
from emulator.device.clock import SimClock
from emulator.device.defaults import GATEWAY_SERIAL, START_SOE_PCT
from emulator.device.errors import GatewayError
from emulator.device.events_log import log, sim
from emulator.device.firmware_update import FirmwareChange, FirmwareUpdates
from emulator.device.grid import GridMachine, GridTimings
from emulator.device.identity import Identity, make_identity
from emulator.device.logins import Logins
from emulator.device.rate_limits import RateChoice, RequestLimiter, rate_policy
from emulator.device.site_controls import SiteControls
from emulator.device.snapshot import GridFault, Operation, Snapshot, UpdateView
from emulator.device.timers import Timer
from emulator.device.updates import UpdateStatus
from emulator.model import Controls, SiteConfig, SiteModel, initial_state

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

REQUEST_MAX_STEPS = 240  # bounded catch-up work per request, whatever the speed factor
METER_SAMPLE_S = 0.25  # the gateway samples its meters every 250 ms of sim time (seed: 250-500 ms)
READ_REFRESH_REAL_S = 0.004  # ...but above 62.5x reads take a new sample at most every 4 ms of real time
REFRESH_MAX_STEPS = 4  # model steps per read refresh once the clock runs fast (1 s steps up to 1,000x)
CONN_TEST_DURATION_S = 5.0


@dataclass(frozen=True, slots=True)
class Overrides:
    """Solar, load and cloud values the control API pins in place of the model's own (None: the model's)."""

    solar_w: float | None = None
    load_w: float | None = None
    cloud_cover: float | None = None


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """How a gateway starts: everything reset() returns to."""

    config: SiteConfig = field(default_factory=SiteConfig)
    gateway_serial: str = GATEWAY_SERIAL
    start_soe_pct: float = START_SOE_PCT
    operation: Operation = Operation("self_consumption", 20.0)
    grid_connected: bool = True
    password: str | None = None  # None: the firmware's default password
    gw_password: str | None = None  # the TEDAPI's (QR sticker); None: ten letters drawn from the seed
    site_name: str = "Home Energy Gateway"
    grid_timings: GridTimings = GridTimings()
    timeline: tuple[Timer[Gateway], ...] = ()  # a scenario's events, re-armed by every reset()
    authorized_keys: tuple[RSAPublicKey, ...] = ()  # TEDAPI v1r keys verified from the start
    login_throttle: int | None = None  # failed logins before a 429 cool-down (None: the firmware's)
    login_cooldown_s: float | None = None  # how long the cool-down lasts (None: the firmware's)
    session_lifetime_s: float | None = None  # how long a login lasts, sim seconds (None: the firmware's; inf: ever)
    rate_limit: RateChoice = None  # per client and endpoint (emulator.device.rate_limits); None: off
    rate_limit_cooldown_s: float | None = None  # how long its 429 lasts (None: the firmware's)


class Gateway:
    """A Tesla Energy Gateway's state: sitemaster, grid, logins, configuration, updates, and the site model."""

    def __init__(self, facts: FirmwareFacts, clock: SimClock, settings: GatewaySettings) -> None:
        self._initial_facts = facts  # what reset() returns to, whatever updates ran since
        self.firmware = FirmwareUpdates()  # an update under way and the reboots that ended connections
        self.facts = facts
        """The firmware's facts (schemas/firmware/<version>.yaml): what it serves and how. The one place the
        gateway's firmware is held; replacing it (:meth:`set_facts`) is how a firmware update changes it."""
        self.clock = clock
        self.settings = settings
        self.config = settings.config
        self.identity: Identity = make_identity(
            settings.gateway_serial, settings.config.powerwalls, settings.config.seed, settings.gw_password
        )
        self.logins = Logins(clock.now, clock.real_time)  # its limits, like the request limit's, set by _init_state
        self.authenticate = self.logins.authenticate  # bound once: every request with a token asks it
        self.rate_limits = RequestLimiter(None, clock.now)
        self._initial_clock = (clock.now(), clock.speed, clock.paused)
        self._init_state()

    def _init_state(self) -> None:
        now = self.clock.now()
        s = self.settings
        # The password is state too: one changed through POST /api/password/change must not outlive a reset,
        # or every later login of a session-wide fixture fails.
        self.password = s.password or self.facts.default_password(
            self.identity.gateway_serial, self.identity.gateway_password
        )
        self.model = SiteModel(self.config, initial_state(self.config, now, s.start_soe_pct))
        self.grid = GridMachine(s.grid_timings)
        if not s.grid_connected:
            self.grid.set_utility(False, now)
            self.grid.fire(now + s.grid_timings.to_island_s)
        self.sitemaster_running = True
        self.sitemaster_since = now
        self.started_at = now
        self.operation = s.operation
        self.staged_operation: Operation | None = None
        self.overrides = Overrides()
        self.site_name = s.site_name
        self.commission_count = 0
        self.update = UpdateStatus(now)
        self.conn_tests_started: float | None = None
        self.registration = {"skipped_registration": False, "emailed_registration": True}
        self.disabled_networks: set[str] = set()
        self.grid_faults: list[GridFault] = []
        self.pending_timers: list[Timer[Gateway]] = sorted(s.timeline, key=lambda timer: timer.at)
        self.fired_timers: list[Timer[Gateway]] = []
        self._firing = False
        self._pending: CatchUp | None = None  # a jump being run in slices; reset() drops it
        self.firmware.reset()
        self.logins.start(self.facts, s.login_throttle, s.login_cooldown_s, s.session_lifetime_s)
        self.rate_limits.set_policy(rate_policy(self.facts, s.rate_limit, s.rate_limit_cooldown_s))
        self.authorized_clients = AuthorizedClients(self.clock.now, s.authorized_keys, self._changed)
        self.site_controls = SiteControls()
        self._version = getattr(self, "_version", 0) + 1
        self._snapshot: Snapshot | None = None
        self._snapshot_key: tuple[float, int] | None = None
        self._snapshot_real = float("-inf")  # real time the snapshot was last taken or confirmed
        self._snapshot_clock: tuple[float, float, float, bool] | None = None
        self._rendered: dict[str, bytes] = {}

    def set_facts(self, facts: FirmwareFacts) -> None:
        """Run another firmware from now on (a firmware update): its facts decide every answer after this.

        Sessions, the site and the clock stay; cached bodies are dropped (they were rendered for the old facts).
        """
        self.mutate()
        self._use_facts(facts)

    def _use_facts(self, facts: FirmwareFacts) -> None:
        self.facts = facts
        self.logins.use_facts(facts)
        self._snapshot = None
        self._snapshot_key = None
        self._rendered = {}

    def reset(self) -> None:
        """Back to the starting settings, start time and clock speed; sessions are dropped, the password restored."""
        start, speed, paused = self._initial_clock
        if self.facts is not self._initial_facts:  # a firmware update ran: the gateway starts on its first firmware
            self._use_facts(self._initial_facts)
        self.clock.set_time(start)
        self.clock.set_speed(speed)
        self.clock.pause() if paused else self.clock.resume()
        self._init_state()

    def load(self, settings: GatewaySettings, start: float) -> None:
        """Become another site from another start (a scenario); reset() returns here from now on.

        The clock keeps its speed and pause state: loading a scenario into a
        running emulator should not surprise whoever set those.
        """
        self.settings = settings
        self.config = settings.config
        self.identity = make_identity(
            settings.gateway_serial, settings.config.powerwalls, settings.config.seed, settings.gw_password
        )
        self._initial_clock = (start, self.clock.speed, self.clock.paused)
        self._initial_facts = self.facts
        self.reset()

    # -- time -----------------------------------------------------------------
    def controls(self) -> Controls:
        base = Controls(
            mode=self.operation.mode,
            reserve_pct=self.operation.backup_reserve_percent,
            grid_connected=self.grid.connected,
            battery_enabled=self.sitemaster_running and not self.update.installing,  # installing restarts the inverters
            solar_override_w=self.overrides.solar_w,
            load_override_w=self.overrides.load_w,
            cloudiness=self.overrides.cloud_cover,
        )
        return self.site_controls.applied(base, self.model.state.t)

    def _changed(self) -> None:
        """State no reading needs caught up for has changed (the key table): drop what was rendered."""
        self._version = getattr(self, "_version", 0) + 1

    def mutate(self) -> float:
        """Catch up, then mark every cached snapshot and body stale: state is about to change (every command
        calls it first: emulator.device.commands, emulator.device.direct_control). Returns the time now."""
        now = self.catch_up()
        self._version += 1
        return now

    def catch_up(self, max_steps: int = REQUEST_MAX_STEPS, *, step_s: float = 1.0) -> float:
        """Advance the model to the latest meter sample, stopping at every state-machine deadline
        and firing each timer at its own instant (see :class:`CatchUp`: bounded work, whatever the gap).

        A catch-up left half-run (:meth:`begin_catch_up`) is finished first, at once: no read or
        write ever sees a half-advanced site.
        """
        if self._firing:  # a timer's action acts at the timer's instant, not at clock.now()
            return self.model.state.t
        self.settle()
        target = self._target()
        CatchUp(target, self.model.state.t, max_steps, step_s).run(self, sys.maxsize)
        return target

    def begin_catch_up(self, max_steps: int) -> None:
        """Plan the same catch-up as :meth:`catch_up`, to be run in slices (:meth:`catch_up_slice`).

        For a big clock jump: whoever serves the gateway runs a slice, lets other clients in, runs
        the next; the end state is exactly what ``catch_up(max_steps)`` gives.
        """
        self.settle()
        self._pending = CatchUp(self._target(), self.model.state.t, max_steps, 1.0)
        self._version += 1

    @property
    def catching_up(self) -> bool:
        """A catch-up begun with :meth:`begin_catch_up` is not finished: the gateway is mid-jump."""
        return self._pending is not None

    def catch_up_slice(self, budget: int) -> bool:
        """Run at most ``budget`` model steps of the pending catch-up; True once none is pending."""
        pending = self._pending
        if pending is None or self._firing:
            return True
        if not pending.run(self, budget):
            return False
        self._pending = None
        self._version += 1
        return True

    def settle(self) -> None:
        """Finish any pending catch-up now (the fallback for a caller that cannot wait for its slices)."""
        self.catch_up_slice(sys.maxsize)

    def _target(self) -> float:
        return max(math.floor(self.clock.now() / METER_SAMPLE_S) * METER_SAMPLE_S, self.model.state.t)

    def fire_due(self) -> None:
        while self.pending_timers and self.pending_timers[0].at <= self.model.state.t:
            timer = self.pending_timers.pop(0)
            log.info("scenario event %s at %s %s", timer.label, sim(timer.at), timer.detail)
            self._firing = True
            try:
                timer.action(self)
            finally:
                self._firing = False
            self.fired_timers.append(timer)

    def reached(self, at: float) -> None:
        self.grid.fire(at)
        self.update.advance(at)
        self.site_controls.reached(at)
        self._firmware_steps(at)
        self.fire_due()

    def next_deadline(self, target: float) -> float:
        """The first instant before ``target`` at which a state machine, a timer or an update acts."""
        now = self.model.state.t
        pending = (
            self.grid.deadline,
            self.pending_timers[0].at if self.pending_timers else None,
            self.update.next_change(),
            self.site_controls.next_change(now),
            self.firmware.next_step_at(),
        )
        deadlines = [target, *(at for at in pending if at is not None)]
        return max(min(deadlines), now)

    # -- reads ----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The gateway at the latest meter sample; the same object until time or state moves.

        Up to 62.5x a sample lasts at least 4 ms of real time. Faster, a new 250 ms sample
        would mean one per request, so a read reuses the latest snapshot while it is younger
        than 4 ms of real time (nothing written, the clock not touched since), then takes the
        current sample, catching up in at most 4 steps (1 s each up to 1,000x): the work per
        real second, and so a poll's cost, no longer grows with the speed factor. Writes, and
        reads at 62.5x or slower or after any clock change, act at the current sample as before.
        """
        clock, snap = self.clock, self._snapshot
        fast = not clock.paused and clock.speed * READ_REFRESH_REAL_S > METER_SAMPLE_S
        real = clock.real_time()
        if (
            fast
            and snap is not None
            and self._snapshot_key is not None
            and self._snapshot_key[1] == self._version
            and real - self._snapshot_real < READ_REFRESH_REAL_S
            and self._snapshot_clock == clock.anchor()
        ):
            return snap
        if snap is not None and self._pending is None and not self._firing:
            target, t, timers = self._target(), self.model.state.t, self.pending_timers
            if self._snapshot_key == (target, self._version) and t >= target and not (timers and timers[0].at <= t):
                # what catch_up would find: nothing to finish, step or fire (a poll's usual case, once per request)
                self._snapshot_real, self._snapshot_clock = real, clock.anchor()
                return snap
        step_s = max(1.0, clock.speed * READ_REFRESH_REAL_S / REFRESH_MAX_STEPS) if fast else 1.0
        now = self.catch_up(step_s=step_s)
        key = (now, self._version)
        self._snapshot_real, self._snapshot_clock = real, clock.anchor()
        if snap is not None and self._snapshot_key == key:
            return snap
        self._snapshot = self._take_snapshot(now)
        self._snapshot_key = key
        self._rendered = {}
        return self._snapshot

    def rendered(self, name: str, snap: Snapshot, render: Callable[[], bytes]) -> bytes:
        """A body rendered once per snapshot: polling clients share the work."""
        if snap is not self._snapshot:
            return render()
        body = self._rendered.get(name)
        if body is None:
            body = self._rendered[name] = render()
        return body

    def _take_snapshot(self, now: float) -> Snapshot:
        controls = self.controls()
        update, started = self.update, self.conn_tests_started
        return Snapshot(
            t=now,
            flows=self.model.flows_at(now, controls),
            soe_pct=self.model.state.soe_pct,
            state=self.model.state.reading(),
            grid_status=self.grid.status,
            grid_connected=self.grid.connected,
            grid_utility_up=self.grid.utility_up,
            grid_services_active=False,
            grid_faults=tuple(self.grid_faults),
            sitemaster_running=self.sitemaster_running,
            sitemaster_since=self.sitemaster_since,
            started_at=self.started_at,
            operation=self.operation,
            staged_operation=self.staged_operation,
            commission_count=self.commission_count,
            site_name=self.site_name,
            registration_skipped=self.registration["skipped_registration"],
            registration_emailed=self.registration["emailed_registration"],
            disabled_networks=frozenset(self.disabled_networks),
            conn_tests_started=started,
            conn_tests_done=None if started is None else now >= started + CONN_TEST_DURATION_S,
            update=UpdateView(update.state, update.status, update.last_status_time, update.installing),
            config=self.config,
            identity=self.identity,
            zone=self.model.local.zone,
            version_string=self.facts.reported_version,
            git_hash=self.facts.git_hash,
            site_controls=self.site_controls.view(),
        )

    def live_snapshot(self) -> Snapshot:
        """A snapshot for live-data endpoints, which answer 502 while sitemaster is stopped."""
        if not self.sitemaster_running:
            raise GatewayError.of(self.facts.sitemaster_stopped)
        return self.snapshot()

    @property
    def gw_password(self) -> str:
        """The gateway password (QR sticker): HTTP Basic on the TEDAPI."""
        return self.identity.gateway_password

    # -- a firmware update's steps (started by emulator.device.direct_control.update_firmware) ----------
    def _firmware_steps(self, at: float) -> None:
        """Reboot into the new firmware, then come back, at the update's instants (inside the catch-up)."""
        while (due := self.firmware.next_step_at()) is not None and due <= at:
            change = self.firmware.change
            assert change is not None  # a step is due only for an update
            self._firing = True  # the effects act at the step's instant; no catch-up from inside one
            try:
                self._reboot_into(change) if self.firmware.applied == 0 else self._back_from(change)
            finally:
                self._firing = False
            self.firmware.applied += 1

    def _reboot_into(self, change: FirmwareChange) -> None:
        """The install is done: the gateway goes down and boots ``change.target``. Every session ends; what was
        staged and not committed is lost; a password never changed follows the new firmware's rule."""
        old_default = self.facts.default_password(self.identity.gateway_serial, self.identity.gateway_password)
        self.set_facts(change.target)
        if self.settings.password is None and self.password == old_default:
            self.password = change.target.default_password(self.identity.gateway_serial, self.identity.gateway_password)
        self.logins.sessions.clear()
        self.staged_operation = None
        log.info("firmware update: rebooting into %s at %s", change.target.version, sim(change.reboot_at))
        for watcher in self.firmware.watchers:  # the server closes the connections the reboot ends
            watcher()

    def _back_from(self, change: FirmwareChange) -> None:
        self._version += 1
        self.started_at = change.back_at  # /api/status counts its up time from the boot
        self.sitemaster_running, self.sitemaster_since = True, change.back_at
        log.info("firmware update: back on %s at %s", change.target.version, sim(change.back_at))
