"""The gateway: the device and its state machines, owning one site model and one clock.

It is the only thing that changes state. HTTP routes, the control API and the
scenario runner all call its methods; every read first catches the model up
to ``clock.now()`` in bounded work.
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
from emulator.device.errors import API_LIMIT, GatewayError
from emulator.device.events_log import log, sim
from emulator.device.firmware_update import Durations, FirmwareChange, FirmwareUpdates, UpdateRefused, refusal
from emulator.device.grid import GridMachine, GridTimings
from emulator.device.identity import Identity, make_identity
from emulator.device.rate_limits import RateChoice, RequestLimiter, rate_policy
from emulator.device.sessions import LoginThrottle, Session, SessionStore, ThrottlePolicy, new_token, passwords_match
from emulator.device.site_controls import GridSettings, SiteControls
from emulator.device.snapshot import GridFault, Operation, Snapshot, UpdateView
from emulator.device.timers import Timer
from emulator.device.updates import UpdatePhase, UpdateStatus
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


MAX_GRID_FAULTS = 20


class Gateway:
    """A Tesla Energy Gateway: sitemaster, grid, sessions, configuration, updates."""

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
        self.sessions = SessionStore()
        self.rate_limits = RequestLimiter(None, clock.now)  # its policy, like the login throttle's, set by _init_state
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
        self.battery_paused_until = float("-inf")
        self.conn_tests_started: float | None = None
        self.registration = {"skipped_registration": False, "emailed_registration": True}
        self.disabled_networks: set[str] = set()
        self.grid_faults: list[GridFault] = []
        self.pending_timers: list[Timer[Gateway]] = sorted(s.timeline, key=lambda timer: timer.at)
        self.fired_timers: list[Timer[Gateway]] = []
        self._firing = False
        self._pending: CatchUp | None = None  # a jump being run in slices; reset() drops it
        self.sessions.clear()
        self.firmware.reset()
        self.session_lifetime_s = self._session_lifetime()
        self.throttle = LoginThrottle(self._throttle_policy())  # the starting policies: the control API may change them
        self.rate_limits.set_policy(rate_policy(self.facts, s.rate_limit, s.rate_limit_cooldown_s))
        self.authorized_clients = AuthorizedClients(self.clock.now, s.authorized_keys, self._changed)
        self.site_controls = SiteControls()
        self._version = getattr(self, "_version", 0) + 1
        self._snapshot: Snapshot | None = None
        self._snapshot_key: tuple[float, int] | None = None
        self._snapshot_real = float("-inf")  # real time the snapshot was last taken or confirmed
        self._snapshot_clock: tuple[float, float, float, bool] | None = None
        self._rendered: dict[str, bytes] = {}

    def _throttle_policy(self) -> ThrottlePolicy | None:
        """The firmware's login throttle, tuned by the settings (tests want short cool-downs)."""
        return ThrottlePolicy.tuned(self.facts.throttle, self.settings.login_throttle, self.settings.login_cooldown_s)

    def _session_lifetime(self) -> float:
        """Sim seconds a login lasts: the settings', else the firmware's stated lifetime, else for ever."""
        chosen = self.settings.session_lifetime_s
        stated = self.facts.session_lifetime_s
        return chosen if chosen is not None else stated if stated is not None else math.inf

    def set_facts(self, facts: FirmwareFacts) -> None:
        """Run another firmware from now on (a firmware update): its facts decide every answer after this.

        Sessions, the site and the clock stay; cached bodies are dropped (they were rendered for the old facts).
        """
        self._mutate()
        self._use_facts(facts)

    def _use_facts(self, facts: FirmwareFacts) -> None:
        self.facts = facts
        self.throttle = LoginThrottle(self._throttle_policy())
        self.session_lifetime_s = self._session_lifetime()
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
            battery_enabled=self.sitemaster_running
            and self.model.state.t >= self.battery_paused_until
            and not self.update.installing,  # installing firmware restarts the inverters
            solar_override_w=self.overrides.solar_w,
            load_override_w=self.overrides.load_w,
            cloudiness=self.overrides.cloud_cover,
        )
        return self.site_controls.applied(base, self.model.state.t)

    def _changed(self) -> None:
        """State no reading needs caught up for has changed (the key table): drop what was rendered."""
        self._version = getattr(self, "_version", 0) + 1

    def _mutate(self) -> float:
        """Catch up, then mark every cached snapshot and body stale: state is about to change."""
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
        deadlines = [target]
        if self.grid.deadline is not None:
            deadlines.append(self.grid.deadline)
        if self.model.state.t < self.battery_paused_until:
            deadlines.append(self.battery_paused_until)
        if self.pending_timers:
            deadlines.append(self.pending_timers[0].at)
        next_update = self.update.next_change()
        if next_update is not None:
            deadlines.append(next_update)
        next_control = self.site_controls.next_change(self.model.state.t)
        if next_control is not None:
            deadlines.append(next_control)
        next_firmware = self.firmware.next_step_at()
        if next_firmware is not None:
            deadlines.append(next_firmware)
        return max(min(deadlines), self.model.state.t)

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

    def visible_operation(self) -> Operation:
        """What GET /api/operation shows: the staged value that will apply, if any."""
        self.settle()  # a scenario event inside a half-run jump may have changed it
        return self.staged_operation or self.operation

    # -- sessions -------------------------------------------------------------
    def login(self, username: str, password: str, email: str | None) -> Session:
        real_now = self.clock.real_time()
        if self.throttle.locked(real_now):
            log.info("login refused for %r: throttled after too many wrong passwords", username)
            raise GatewayError.of(self.facts.throttled or API_LIMIT)
        if not passwords_match(password, self.password):
            self.throttle.record_failure(real_now)
            log.info("login refused for %r: wrong password", username)
            raise GatewayError.of(self.facts.bad_credentials)
        self.throttle.record_success()
        now = self.catch_up()
        session = Session(new_token(), username, email, self.facts.roles, now)
        self.sessions.add(session)
        log.info("login: %r at %s", username, sim(now))
        if self.facts.login_stops_sitemaster:
            self.stop_sitemaster()
        return session

    def open_session(self, username: str) -> Session:
        """A session as if ``username`` had logged in earlier, without a login's side effects (the offline
        runner's reads: on 1.15.0 a login would stop sitemaster)."""
        session = Session(new_token(), username, None, self.facts.roles, self.clock.now())
        self.sessions.add(session)
        return session

    @property
    def gw_password(self) -> str:
        """The gateway password (QR sticker): HTTP Basic on the TEDAPI."""
        return self.identity.gateway_password

    def authenticate(self, token: str) -> Session | None:
        """The live session ``token`` names; None when there is none or it has outlived the session lifetime
        (on the sim clock, so a clock jump expires it as a day of waiting would)."""
        session = self.sessions.find(token)
        if session is not None and self.clock.now() >= session.login_time + self.session_lifetime_s:
            self.sessions.revoke(token)
            log.info("session of %r expired (logged in at %s)", session.username, sim(session.login_time))
            return None
        return session

    def logout(self, token: str | None) -> None:
        if token:
            self.sessions.revoke(token)

    # -- sitemaster -----------------------------------------------------------
    def stop_sitemaster(self) -> None:
        self._mutate()
        if self.sitemaster_running:
            self.sitemaster_running = False
            self.sitemaster_since = self.model.state.t
            log.info("sitemaster stopped at %s", sim(self.sitemaster_since))

    def run_sitemaster(self) -> None:
        self._mutate()
        if not self.sitemaster_running:
            self.sitemaster_running = True
            self.sitemaster_since = self.model.state.t
            log.info("sitemaster running at %s", sim(self.sitemaster_since))

    # -- configuration --------------------------------------------------------
    def set_operation(self, mode: str | None, reserve: float | None) -> Operation:
        """Stage or apply (per firmware) a new mode and/or reserve; missing parts keep their value."""
        base = self.visible_operation()
        new = Operation(
            mode if mode is not None else base.mode,
            float(reserve) if reserve is not None else base.backup_reserve_percent,
        )
        self._mutate()
        if self.facts.operation_staged:
            self.staged_operation = new
        else:
            self.operation = new
        return new

    def apply_operation(self, op: Operation) -> None:
        """Make an operation active at once, dropping anything staged (control API, scenarios)."""
        self._mutate()
        self.operation = op
        self.staged_operation = None

    def commit_config(self) -> None:
        """GET /api/config/completed: staged configuration takes effect now."""
        self._mutate()
        if self.staged_operation is not None:
            self.operation = self.staged_operation
            self.staged_operation = None
        self.commission_count += 1

    def change_password(self, old: str, new: str) -> None:
        """POST /api/password/change: the old password must match; sessions stay valid."""
        if not passwords_match(old, self.password):
            raise GatewayError.of(self.facts.bad_credentials)
        self._mutate()
        self.password = new

    def set_network_enabled(self, network_id: str, enabled: bool) -> None:
        self._mutate()
        if enabled:
            self.disabled_networks.discard(network_id)
        else:
            self.disabled_networks.add(network_id)

    def update_registration(self, **flags: bool) -> None:
        self._mutate()
        self.registration.update(flags)

    def set_site_name(self, name: str) -> None:
        self._mutate()
        self.site_name = name

    # -- grid -----------------------------------------------------------------
    def set_utility_grid(self, up: bool) -> None:
        now = self._mutate()
        if self.grid.utility_up and not up:
            self.grid_faults = [*self.grid_faults, GridFault(now, "PINV_a010_vfCheckUnderVoltage")][-MAX_GRID_FAULTS:]
        self.grid.set_utility(up, now)

    def request_island(self, island: bool) -> None:
        now = self._mutate()
        self.grid.request_island(island, now)

    # -- the owner's controls, as TEDAPI v1r commands set them (emulator.device.site_controls) --------
    def write_config(self, operation: Operation, grid: GridSettings, site_name: str | None = None) -> None:
        """A config.json write: mode and reserve apply at once (nothing staged), with the grid settings."""
        self._mutate()
        self.operation, self.staged_operation = operation, None
        self.site_controls.grid = grid
        if site_name is not None:
            self.site_name = site_name

    def dispatch_battery(self, power_w: float, duration_s: int) -> None:
        now = self._mutate()
        self.site_controls.dispatch(power_w, duration_s, now)

    def resume_battery(self) -> None:
        self._mutate()
        self.site_controls.resume()

    def schedule_backup(self, start_time_s: int, duration_s: int, priority: int, wall_now: float) -> None:
        """A manual backup event from the client's wall-clock start: as far from now on the simulated clock."""
        now = self._mutate()
        self.site_controls.schedule_backup(start_time_s, duration_s, priority, now + (start_time_s - wall_now))

    def cancel_backup(self) -> None:
        self._mutate()
        self.site_controls.cancel_backup()

    def delay_calibration(self, hours: int) -> None:
        now = self._mutate()
        self.site_controls.delay_calibration(hours, now)

    # -- direct control (control API, scenarios) ---------------------------------
    def set_soe(self, soe_pct: float) -> None:
        self._mutate()
        self.model.set_soe(soe_pct)

    def set_overrides(self, overrides: Overrides) -> None:
        self._mutate()
        self.overrides = overrides

    def pause_battery(self, seconds: float) -> None:
        """Hold the battery idle (a firmware update restarting the inverters)."""
        now = self._mutate()
        self.battery_paused_until = max(self.battery_paused_until, now + seconds)

    def start_update(self, phases: tuple[UpdatePhase, ...]) -> None:
        """A firmware check or upgrade walks its update states; the battery rests while it installs."""
        now = self._mutate()
        if self.firmware.running:
            log.info("update check at %s ignored: an update to %s is under way", sim(now), self.firmware_target)
            return
        self.update.start(phases, now)

    # -- firmware updates (emulator.device.firmware_update) ---------------------------
    @property
    def firmware_target(self) -> str | None:
        """The version an update under way installs (None: none is under way)."""
        change = self.firmware.change
        return change.target.version if change is not None and self.firmware.running else None

    def update_firmware(
        self, target: FirmwareFacts, durations: Durations, *, allow_downgrade: bool = False
    ) -> FirmwareChange:
        """Start an update to ``target``: it checks, downloads and installs, then reboots into the new firmware.

        UpdateRefused (nothing changed) for another hardware generation, a downgrade not allowed, the version
        already running, or an update already under way.
        """
        now = self._mutate()
        if self.firmware.running or self.update.running:
            to = f" to {self.firmware_target}" if self.firmware.running else ""
            raise UpdateRefused(f"an update{to} is under way; wait until the gateway is back", 409)
        problem = refusal(self.facts, target, allow_downgrade=allow_downgrade)
        if problem is not None:
            raise problem
        change = FirmwareChange(self.facts, target, now, durations)
        self.firmware.begin(change)
        self.update.start(change.update_phases(), now)
        log.info("firmware update %s -> %s started at %s", change.source.version, target.version, sim(now))
        return change

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
        self.sessions.clear()
        self.staged_operation = None
        log.info("firmware update: rebooting into %s at %s", change.target.version, sim(change.reboot_at))
        for watcher in self.firmware.watchers:  # the server closes the connections the reboot ends
            watcher()

    def _back_from(self, change: FirmwareChange) -> None:
        self._version += 1
        self.started_at = change.back_at  # /api/status counts its up time from the boot
        self.sitemaster_running, self.sitemaster_since = True, change.back_at
        log.info("firmware update: back on %s at %s", change.target.version, sim(change.back_at))

    def start_conn_tests(self) -> None:
        self.conn_tests_started = self._mutate()

    def conn_tests_done(self) -> bool | None:
        """None: never started; False: running; True: complete."""
        if self.conn_tests_started is None:
            return None
        return self.catch_up() >= self.conn_tests_started + CONN_TEST_DURATION_S
