"""A deliberately small reference model of a gateway's discrete state, for the differential machine.

Written from the contract and the research notes, never from the emulator's code: it imports
nothing from ``emulator.firmware`` or ``emulator.device`` (``test_reference_is_independent`` checks),
so a wrong fact in the emulator cannot leak into the judge. Which paths a firmware serves, which need
a login, how it logs in and what a login or a posted operation does come from the firmware facts
(schemas/firmware/*.yaml, read through :mod:`emulator.contract`); what the facts do not state (grid
timings, reserve scaling, commission_count) from the research notes
(``../shared/research/gateway-api.md``, cited at each fact).

The model knows no physics: sessions, sitemaster, the grid's target and how long it may take to get
there, operation mode and reserve (active and staged), the site name, the password and the login
throttle. Each method is one request's effect; each returns what the gateway must answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator import contract

# -- what the facts do not state, from the research notes ----------------------------------------


def throttled_status(facts: contract.FirmwareFacts) -> int:
    """A locked-out login's status: the facts' where they state one, else 429 (gateway-api.md §2.3)."""
    return facts.throttled.status if facts.throttled else 429


def config_completed_status(facts: contract.FirmwareFacts) -> int:
    """GET /api/config/completed answers 202 with no body on 1.x and 200 with the /api/status body from 21.39.1
    on (gateway-api.md, §1 table)."""
    return 202 if facts.speaks_for_from < (20, 0) else 200


# gateway-api.md §3.4: a PW3 confirms an island on the first poll <= 3 s after going off grid and is
# back on grid ~21 s after the grid returns. The reference allows a transition state until then.
ISLAND_WITHIN_S = 3.0
RECONNECT_WITHIN_S = 30.0

CONNECTED = "SystemGridConnected"
ISLANDED = "SystemIslandedActive"
TO_GRID = "SystemTransitionToGrid"
TO_ISLAND = "SystemTransitionToIsland"

# gateway-api.md table: intentional_reconnect_failsafe = go off grid, backup = reconnect.
ISLAND_MODES = {"intentional_reconnect_failsafe": True, "backup": False}


def profiles() -> tuple[str, ...]:
    """Every firmware profile the contract states facts for; a new one joins by adding its file."""
    return tuple(contract.firmware_facts())


def app_to_api(app_pct: float) -> float:
    """gateway-api.md §3.9: the reserve on the gateway's scale is 0.95 x the app's + 5."""
    return 0.95 * app_pct + 5.0


# -- the model ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What a request must get: one status (and, for JSON answers, a schema the caller validates)."""

    status: int


@dataclass
class Grid:
    """Where the site is heading and since when (sim seconds): the status is any state on the way."""

    utility_up: bool
    island_requested: bool = False
    heading_to_grid: bool = True
    since_s: float = float("-inf")  # -inf: arrived long ago
    arrived: bool = True  # seen at the destination since the last change: it stays there

    def steer(self, now_s: float) -> None:
        want_grid = self.utility_up and not self.island_requested
        if want_grid != self.heading_to_grid:
            self.heading_to_grid = want_grid
            self.since_s = now_s
            self.arrived = False

    def allowed(self, now_s: float) -> frozenset[str]:
        destination = CONNECTED if self.heading_to_grid else ISLANDED
        bound = RECONNECT_WITHIN_S if self.heading_to_grid else ISLAND_WITHIN_S
        if self.arrived or now_s - self.since_s >= bound:
            return frozenset({destination})
        return frozenset({destination, TO_GRID if self.heading_to_grid else TO_ISLAND})

    def observed(self, status: str) -> None:
        if status == (CONNECTED if self.heading_to_grid else ISLANDED):
            self.arrived = True


@dataclass
class ReferenceGateway:
    firmware: str
    serial: str
    mode: str
    reserve_pct: float
    grid_connected: bool
    throttle_threshold: int  # wrong passwords in a row before every login gets 429 (cool-down never ends here)
    powerwalls: int = 1
    password: str = ""
    gateway_password: str = ""  # the QR-sticker password some firmware derives the login password from
    facts: contract.FirmwareFacts = field(init=False)  # the contract's, never the emulator's profile
    now_s: float = 0.0
    sessions: dict[str, bool] = field(default_factory=dict)  # token -> still valid
    sitemaster_running: bool = True
    staged: tuple[str, float] | None = None
    site_name: str = "Home Energy Gateway"
    commits: int = 0  # successful GET /api/config/completed (each bumps commission_count, §1 table)
    commission_base: int | None = None  # commission_count before any commit, once a body has shown it
    failures: int = 0
    locked: bool = False
    grid: Grid = field(init=False)
    initial: tuple[str, float, str] = field(init=False)

    def __post_init__(self) -> None:
        self.initial = (self.mode, self.reserve_pct, self.password)
        self.facts = contract.facts_for(self.firmware)
        self.password = self.password or self.facts.default_password(self.serial, self.gateway_password)
        self.grid = Grid(utility_up=self.grid_connected, heading_to_grid=self.grid_connected)

    def reset(self) -> None:
        """POST /_emulator/reset (docs/control-api.md): "back to the start: time, state, sessions"."""
        self.mode, self.reserve_pct, password = self.initial
        self.password = password or self.facts.default_password(self.serial, self.gateway_password)
        self.now_s, self.sitemaster_running, self.staged, self.site_name = 0.0, True, None, "Home Energy Gateway"
        self.sessions = dict.fromkeys(self.sessions, False)
        self.failures, self.locked = 0, False
        self.commits = 0
        self.grid = Grid(utility_up=self.grid_connected, heading_to_grid=self.grid_connected)

    # -- what exists and who may ask ----------------------------------------------------------
    def operation(self, method: str, path: str) -> contract.Operation | None:
        op = contract.operation_for(method, path)
        return op if op is not None and op.serves(self.firmware) else None

    def refusal(self, method: str, path: str, token: str | None) -> int | None:
        """404 for a path this firmware lacks, 401/403 for a protected one without a live session."""
        op = self.operation(method, path)
        if op is None:
            return 404
        if not op.needs_login(self.firmware):
            return None
        if token is None:
            return self.facts.missing_credentials.status
        return None if self.sessions.get(token, False) else self.facts.invalid_credentials.status

    def live_sessions(self) -> int:
        return sum(self.sessions.values())

    @property
    def active(self) -> tuple[str, float]:
        return self.mode, self.reserve_pct

    @property
    def visible(self) -> tuple[str, float]:
        """GET /api/operation: what was last posted (openapi link ReadBackOperation), staged or not."""
        return self.staged or self.active

    # -- sessions -------------------------------------------------------------------------------
    def login(self, password: str) -> Expect:
        if self.locked:
            return Expect(throttled_status(self.facts))
        if password != self.password:
            self.failures += 1
            if self.failures >= self.throttle_threshold:
                self.locked, self.failures = True, 0
            return Expect(self.facts.bad_credentials.status)
        self.failures = 0
        if self.facts.login_stops_sitemaster:
            self.sitemaster_running = False
        return Expect(200)

    def logged_in(self, token: str) -> None:
        self.sessions[token] = True

    def logout(self, token: str | None) -> Expect:
        refused = self.refusal("GET", "/api/logout", token)
        if refused:
            return Expect(refused)
        if token is not None and token in self.sessions:
            self.sessions[token] = False
        return Expect(204)

    def change_password(self, token: str | None, old: str, new: str) -> Expect:
        refused = self.refusal("POST", "/api/password/change", token)
        if refused:
            return Expect(refused)
        if old != self.password:
            return Expect(self.facts.bad_credentials.status)
        self.password = new  # sessions survive (gateway-api.md §1: "cookies kept working")
        return Expect(200)

    # -- sitemaster -----------------------------------------------------------------------------
    def set_sitemaster(self, method: str, path: str, token: str | None, running: bool) -> Expect:
        refused = self.refusal(method, path, token)
        if refused:
            return Expect(refused)
        self.sitemaster_running = running
        return Expect(202)

    def live_read(self, method: str, path: str, token: str | None) -> int | None:
        """502 while sitemaster is stopped, for exactly the reads the contract documents it on."""
        refused = self.refusal(method, path, token)
        if refused:
            return refused
        op = self.operation(method, path)
        assert op is not None
        return 502 if op.documents(502) and not self.sitemaster_running else None

    # -- configuration --------------------------------------------------------------------------
    def post_operation(self, token: str | None, mode: str | None, reserve: float | None) -> Expect:
        refused = self.refusal("POST", "/api/operation", token)
        if refused:
            return Expect(refused)
        if mode is None and reserve is None:  # requests/operation.json wants one of them
            return Expect(400)
        base_mode, base_reserve = self.visible
        new = (mode if mode is not None else base_mode, reserve if reserve is not None else base_reserve)
        if self.facts.operation_staged:
            self.staged = new
        else:
            self.mode, self.reserve_pct = new
        return Expect(200)

    def config_completed(self, token: str | None) -> Expect:
        refused = self.refusal("GET", "/api/config/completed", token)
        if refused:
            return Expect(refused)
        if self.staged is not None:
            (self.mode, self.reserve_pct), self.staged = self.staged, None
        self.commits += 1
        return Expect(config_completed_status(self.facts))

    def commission_count_ok(self, reported: int) -> bool:
        """gateway-api.md §1 (config/completed): "side effect: commission_count+1" and nothing else moves it."""
        if self.commission_base is None:
            self.commission_base = reported - self.commits
        return reported == self.commission_base + self.commits

    def control_operation(self, mode: str | None, reserve: float | None) -> None:
        """POST /_emulator/operation: applied at once, nothing left staged (docs/control-api.md)."""
        self.mode = mode if mode is not None else self.mode
        self.reserve_pct = reserve if reserve is not None else self.reserve_pct
        self.staged = None

    def post_site_name(self, token: str | None, name: str) -> Expect:
        refused = self.refusal("POST", "/api/site_info/site_name", token)
        if refused:
            return Expect(refused)
        if not name:  # requests/site_info.site_name.json: minLength 1
            return Expect(400)
        self.site_name = name
        return Expect(200)

    # -- grid and time --------------------------------------------------------------------------
    def set_utility(self, up: bool) -> None:
        self.grid.utility_up = up
        self.grid.steer(self.now_s)

    def request_island(self, token: str | None, island_mode: str) -> Expect:
        refused = self.refusal("POST", "/api/v2/islanding/mode", token)
        if refused:
            return Expect(refused)
        self.grid.island_requested = ISLAND_MODES[island_mode]
        self.grid.steer(self.now_s)
        return Expect(200)

    def advance(self, seconds: float) -> None:
        self.now_s += seconds

    def grid_statuses(self) -> frozenset[str]:
        return self.grid.allowed(self.now_s)
