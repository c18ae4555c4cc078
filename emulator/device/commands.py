"""What a client of the gateway's own APIs asks it to do: /api/ writes and the TEDAPI's commands.

The gateway (:mod:`emulator.device.gateway`) is the site's state, its clock and its reads; these are the
changes clients make to that state, each a function over the gateway, written as the gateway's rules say:
every one first catches the site up to now (:meth:`Gateway.mutate`), so the time before the change runs
with what was in force then, and the reads after it see the change. What only the emulator itself does
(the control API, scenario events) is in :mod:`emulator.device.direct_control`.
"""

from __future__ import annotations

from emulator.device.errors import GatewayError
from emulator.device.events_log import log, sim
from emulator.device.gateway import Gateway
from emulator.device.sessions import Session, passwords_match
from emulator.device.site_controls import GridSettings
from emulator.device.snapshot import Operation


# -- logins (the checks and the sessions: emulator.device.logins) and sitemaster ------------------
def login(gw: Gateway, username: str, password: str, email: str | None) -> Session:
    """POST /api/login/Basic: a session, or GatewayError (a wrong password, a lockout); on firmware that says
    so (1.15.0), a login stops sitemaster."""
    gw.logins.check(username, password, gw.password, gw.facts)
    now = gw.catch_up()
    session = gw.logins.open(username, email, gw.facts.roles, now)
    log.info("login: %r at %s", username, sim(now))
    if gw.facts.login_stops_sitemaster:
        stop_sitemaster(gw)
    return session


def stop_sitemaster(gw: Gateway) -> None:
    """Sitemaster stops (live data answers 502, the batteries rest) until it is run again."""
    gw.mutate()
    if gw.sitemaster_running:
        gw.sitemaster_running = False
        gw.sitemaster_since = gw.model.state.t
        log.info("sitemaster stopped at %s", sim(gw.sitemaster_since))


def run_sitemaster(gw: Gateway) -> None:
    gw.mutate()
    if not gw.sitemaster_running:
        gw.sitemaster_running = True
        gw.sitemaster_since = gw.model.state.t
        log.info("sitemaster running at %s", sim(gw.sitemaster_since))


# -- configuration (/api/operation, /api/config/completed, the wizard) --------------------------
def visible_operation(gw: Gateway) -> Operation:
    """What GET /api/operation shows: the staged value that will apply, if any."""
    gw.settle()  # a scenario event inside a half-run jump may have changed it
    return gw.staged_operation or gw.operation


def set_operation(gw: Gateway, mode: str | None, reserve: float | None) -> Operation:
    """Stage or apply (per firmware) a new mode and/or reserve; missing parts keep their value."""
    base = visible_operation(gw)
    new = Operation(
        mode if mode is not None else base.mode,
        float(reserve) if reserve is not None else base.backup_reserve_percent,
    )
    gw.mutate()
    if gw.facts.operation_staged:
        gw.staged_operation = new
    else:
        gw.operation = new
    return new


def commit_config(gw: Gateway) -> None:
    """GET /api/config/completed: staged configuration takes effect now."""
    gw.mutate()
    if gw.staged_operation is not None:
        gw.operation = gw.staged_operation
        gw.staged_operation = None
    gw.commission_count += 1


def change_password(gw: Gateway, old: str, new: str) -> None:
    """POST /api/password/change: the old password must match; sessions stay valid."""
    if not passwords_match(old, gw.password):
        raise GatewayError.of(gw.facts.bad_credentials)
    gw.mutate()
    gw.password = new


def set_network_enabled(gw: Gateway, network_id: str, enabled: bool) -> None:
    gw.mutate()
    if enabled:
        gw.disabled_networks.discard(network_id)
    else:
        gw.disabled_networks.add(network_id)


def update_registration(gw: Gateway, **flags: bool) -> None:
    gw.mutate()
    gw.registration.update(flags)


def set_site_name(gw: Gateway, name: str) -> None:
    gw.mutate()
    gw.site_name = name


def start_conn_tests(gw: Gateway) -> None:
    """The wizard's connectivity tests: they run for a few seconds of simulated time from now."""
    gw.conn_tests_started = gw.mutate()


def request_island(gw: Gateway, island: bool) -> None:
    """Go off the grid on purpose (or back): the grid's state machine takes it from there."""
    now = gw.mutate()
    gw.grid.request_island(island, now)


# -- the owner's controls, as TEDAPI v1r commands set them (emulator.device.site_controls) -------
def write_config(gw: Gateway, operation: Operation, grid: GridSettings, site_name: str | None = None) -> None:
    """A config.json write: mode and reserve apply at once (nothing staged), with the grid settings."""
    gw.mutate()
    gw.operation, gw.staged_operation = operation, None
    gw.site_controls.grid = grid
    if site_name is not None:
        gw.site_name = site_name


def dispatch_battery(gw: Gateway, power_w: float, duration_s: int) -> None:
    now = gw.mutate()
    gw.site_controls.dispatch(power_w, duration_s, now)


def resume_battery(gw: Gateway) -> None:
    gw.mutate()
    gw.site_controls.resume()


def schedule_backup(gw: Gateway, start_time_s: int, duration_s: int, priority: int, wall_now: float) -> None:
    """A manual backup event from the client's wall-clock start: as far from now on the simulated clock."""
    now = gw.mutate()
    gw.site_controls.schedule_backup(start_time_s, duration_s, priority, now + (start_time_s - wall_now))


def cancel_backup(gw: Gateway) -> None:
    gw.mutate()
    gw.site_controls.cancel_backup()


def delay_calibration(gw: Gateway, hours: int) -> None:
    now = gw.mutate()
    gw.site_controls.delay_calibration(hours, now)
