"""TEDAPI v1r's controls: the calibration delay, a manual backup, a battery setpoint, islanding and black start.

Each is sent as both clients send it (aiopowerwall 0.8.0, pypowerwall 0.22.2; ../shared/research/tedapi-v1r.md
section 7) and judged by what those clients rely on -- the answer member they require, the times they compare
with their own clock -- and by the effects they document, read where an owner reads them (the LAN's
/api/meters/aggregates and /api/system_status/grid_status), never by the emulator's model:

* the calibration delay's status is a read (read tier). A Powerwall 3 on 26.26.4 answers it UNIMPLEMENTED
  (code 12), which aiopowerwall turns into "not supported": that is a skip saying so, never a failure;
* a manual backup and a battery setpoint change the site (``--allow-writes``): each test cancels or releases
  what it started as its own last step, and the restore ledger does it again should the test stop early;
* island mode and the black start take the home off the grid (``--allow-disruptive``, only on a battery a fifth
  full or more) and island mode 1 puts it back;
* a calibration delay (``--allow-disruptive``) spends one of the few delays a gateway allows, which nothing gives
  back: the suite asks the shortest (one hour, which then lapses by itself) and only while delays are left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from contract_tests import live, tedapi, v1r
from contract_tests.target import Target
from emulator.contract.v1r import SigningKey

REPORT_AREA = "TEDAPI v1r"
pytestmark = pytest.mark.serves("POST /tedapi/v1r")
UNIMPLEMENTED = 12  # google.rpc.Code: firmware without the command (aiopowerwall: PowerwallNotSupportedError)
AGGREGATES, SOE, GRID_STATUS = "/api/meters/aggregates", "/api/system_status/soe", "/api/system_status/grid_status"


def _teg(target: Target, key: SigningKey, din: str, member: int, answer: int, what: str) -> bytes:
    return v1r.command(target, key, din, tedapi.teg_body(member), answer, what)


# -- the calibration delay: its status (a read), a delay (--allow-disruptive) --------------------------------
DELAYS_LEFT, DELAY_REMAINING_S, MAX_DELAYS = 1, 2, 3  # GetDelayBatteryCalibrationStatusResponse
DELAY_HOURS = 1  # the shortest delay: it lapses by itself within the hour


def _calibration_status(target: Target, key: SigningKey, din: str) -> dict[int, int]:
    """The calibration delay's status, by field number (absent: 0); a skip where the firmware lacks it."""
    body = v1r.request(key, din, tedapi.teg_body(tedapi.CALIBRATION_STATUS), command=True)
    envelope = v1r.answered(target, body, "the calibration delay status")
    refused = tedapi.command_error(envelope)
    if refused is not None and refused[0] == UNIMPLEMENTED:
        pytest.skip(
            "not supported on this firmware: the calibration delay status is answered UNIMPLEMENTED (code 12),"
            f" as a Powerwall 3 on 26.26.4 answers it ({refused[1]!r})"
        )
    assert refused is None, f"the calibration delay status was refused: code {refused[0]} {refused[1]!r}"
    status = tedapi.member(envelope, tedapi.TEG, tedapi.CALIBRATION_STATUS_ANSWER)
    assert status is not None, "the calibration delay status was answered without teg.78, which aiopowerwall requires"
    return tedapi.numbers(status)


def test_v1r_calibration_delay_status_counts_within_its_maximum(target: Target, key: SigningKey, din: str) -> None:
    counts = _calibration_status(target, key, din)
    left, most = counts.get(DELAYS_LEFT, 0), counts.get(MAX_DELAYS, 0)
    assert left <= most, f"calibration_delays_left {left} is more than max_calibration_delays {most}"


@pytest.mark.disruptive
def test_v1r_a_calibration_delay_is_counted_and_runs(target: Target, key: SigningKey, din: str) -> None:
    before = _calibration_status(target, key, din)
    if before.get(DELAYS_LEFT, 0) < 1:
        pytest.skip(f"no calibration delay left (of {before.get(MAX_DELAYS, 0)}): the suite spends none it lacks")
    body = tedapi.calibration_delay_body(DELAY_HOURS)
    v1r.command(target, key, din, body, tedapi.CALIBRATION_DELAY_ANSWER, f"a calibration delay of {DELAY_HOURS} h")
    after = _calibration_status(target, key, din)
    assert after.get(DELAYS_LEFT, 0) == before.get(DELAYS_LEFT, 0) - 1, (
        f"an acknowledged calibration delay was not counted: {before.get(DELAYS_LEFT, 0)} delays left before it,"
        f" {after.get(DELAYS_LEFT, 0)} after"
    )
    assert after.get(DELAY_REMAINING_S, 0) > 0, "an acknowledged calibration delay has no remaining seconds"


# -- a manual backup (--allow-writes) ----------------------------------------------------------------------
# Both clients cancel before they schedule, stamp the start with their own clock (now) and decide whether the
# event is active by comparing the start the gateway lists with that clock: the listing must give the start back
# as the client sent it. pypowerwall requires the cancel's acknowledgement even when nothing is scheduled.
BACKUP_S = 600  # ten minutes (the clients send at least 60 s), cancelled within seconds
CANCEL = "no manual backup (the suite's cancelled)"


def _listed_backup(target: Target, key: SigningKey, din: str) -> tuple[int, int] | None:
    """(start, duration) of the manual backup event get_backup_events lists, in seconds; None when none."""
    events = _teg(target, key, din, tedapi.BACKUP_EVENTS, tedapi.BACKUP_EVENTS_ANSWER, "get_backup_events")
    event = tedapi.member(events, 1, 1)  # manual_backup_event.scheduling_info
    if not event:
        return None
    info = tedapi.fields(event)
    start = info.get(1, [b""])[-1]
    seconds = tedapi.numbers(start).get(1, 0) if isinstance(start, bytes) else 0
    duration = tedapi.numbers(event).get(2, 0)
    return (seconds, duration) if duration else None


def _cancel(target: Target, key: SigningKey, din: str) -> None:
    _teg(target, key, din, tedapi.CANCEL_BACKUP, tedapi.CANCEL_BACKUP_ANSWER, "cancel_manual_backup_event")


def _when(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def test_v1r_backup_events_are_answered(target: Target, key: SigningKey, din: str) -> None:
    """A read: both clients require the answer member (teg.50), with or without a manual backup in it."""
    _listed_backup(target, key, din)


@pytest.fixture
def no_backup(target: Target, key: SigningKey, din: str) -> None:
    """The owner's manual backup, if one is scheduled, is theirs: the suite leaves it alone."""
    listed = _listed_backup(target, key, din)
    if listed is not None and sum(listed) > time.time():
        pytest.skip(f"a manual backup is scheduled ({_when(listed[0])}, {listed[1]} s): the suite leaves it alone")


@pytest.mark.writes
def test_v1r_cancelling_no_manual_backup_is_acknowledged(
    target: Target, key: SigningKey, din: str, no_backup: None
) -> None:
    _cancel(target, key, din)


@pytest.mark.writes
def test_v1r_a_manual_backup_is_listed_as_the_client_stamped_it_until_cancelled(
    target: Target, key: SigningKey, din: str, no_backup: None
) -> None:
    target.remember(CANCEL, lambda: _cancel(target, key, din))
    start = int(time.time())  # the client's own clock, as both clients stamp it
    body = tedapi.schedule_backup_body(start, BACKUP_S)
    v1r.command(target, key, din, body, tedapi.SCHEDULE_BACKUP_ANSWER, f"a manual backup of {BACKUP_S} s from now")
    listed = _listed_backup(target, key, din)
    assert listed is not None, (
        "a manual backup the gateway acknowledged is not listed by get_backup_events (teg.50): clients show it"
        " active from that listing"
    )
    assert listed == (start, BACKUP_S), (
        f"get_backup_events lists its start as {listed[0]} ({_when(listed[0])}) lasting {listed[1]} s, not the"
        f" {start} ({_when(start)}) lasting {BACKUP_S} s the client stamped: clients compare the start with"
        " their own wall clock"
    )
    target.restore(CANCEL)
    after = _listed_backup(target, key, din)
    assert after is None or sum(after) <= time.time(), (
        f"a cancelled manual backup is still listed, and active: {_when(after[0])}, {after[1]} s"
    )


# -- a battery setpoint (--allow-writes) ---------------------------------------------------------------------
# Both clients: + discharges, - charges, and "zero requests zero battery power" (pypowerwall); the gateway holds
# it for the duration, then resumes its configured mode by itself, or at once on a resume; the acknowledgement
# is no readback, the meters show what the battery does (aiopowerwall: "read get_meters_aggregates"). The
# suite sets 0 W -- idle, within every reserve and grid limit a gateway still applies, and harmless -- so its
# effect can be judged only while the battery is busy. Whether the battery left the setpoint because of the
# resume or because the setpoint lapsed is told by the meter readings' own clock (a fast emulator's too).
SETPOINT_S = 300  # lapses by itself after five minutes, should the run stop before releasing it
BUSY_W = 500.0  # below this a 0 W setpoint would not show
HOLD_W = 100.0  # how close to 0 W a battery holding the setpoint reads (or a fifth of what it did)
RELEASE = "the battery's configured mode (the suite's setpoint released)"


def _idle(target: Target, key: SigningKey, din: str) -> None:
    """A setpoint of 0 W: the battery held idle for SETPOINT_S."""
    body = tedapi.dispatch_body(0.0, SETPOINT_S)
    v1r.command(target, key, din, body, tedapi.DISPATCH_ANSWER, f"a battery setpoint of 0 W for {SETPOINT_S} s")


def _resume(target: Target, key: SigningKey, din: str, what: str = "a resume of the battery's mode") -> None:
    v1r.command(target, key, din, tedapi.resume_body(), tedapi.DISPATCH_ANSWER, what)


def _battery(target: Target) -> tuple[float, float]:
    """The battery's power (W, + discharging) and the reading's own time (s)."""
    battery = live.read_json(target, AGGREGATES)["battery"]
    return float(battery["instant_power"]), live.reading_time_s(battery)


@pytest.mark.writes
@pytest.mark.serves(f"GET {AGGREGATES}")
def test_v1r_a_battery_setpoint_holds_the_battery_until_released(target: Target, key: SigningKey, din: str) -> None:
    power_w, since = _battery(target)
    if abs(power_w) < BUSY_W:
        pytest.skip(f"the battery is nearly idle ({power_w:.0f} W): a 0 W setpoint would not show")
    band_w = max(HOLD_W, 0.2 * abs(power_w))
    seen: list[tuple[float, float]] = []

    def holding() -> bool:
        seen.append(_battery(target))
        return abs(seen[-1][0]) <= band_w

    target.remember(RELEASE, lambda: _resume(target, key, din))
    _idle(target, key, din)
    target.until(f"the battery holding a 0 W setpoint (within {band_w:.0f} W; it was at {power_w:.0f} W)", holding)
    target.restore(RELEASE)
    target.until(
        f"the battery leaving the 0 W setpoint after the resume (by more than {band_w:.0f} W)", lambda: not holding()
    )
    left_after_s = seen[-1][1] - since
    assert left_after_s < SETPOINT_S, (
        f"the battery left the 0 W setpoint {left_after_s:.0f} s (by its meter's clock) after it was set for"
        f" {SETPOINT_S} s: the setpoint lapsed by itself, the resume did not release it"
    )


@pytest.mark.writes
def test_v1r_a_battery_setpoint_and_its_release_are_acknowledged(target: Target, key: SigningKey, din: str) -> None:
    target.remember(RELEASE, lambda: _resume(target, key, din))
    _idle(target, key, din)
    target.restore(RELEASE)
    _resume(target, key, din, "a resume with no setpoint active")


# -- island mode (--allow-disruptive) ------------------------------------------------------------------------
# Both clients send mode 6 with force for "off grid", mode 1 to reconnect; result 1 is ACCEPTED (pypowerwall
# warns on anything else). An acknowledgement is not an islanded site ("islanding commands acked but not
# actuated", research/field-failures-and-clients.md): the grid status must follow. A Powerwall 3 islands within
# about 3 s and is back on the grid about 21 s after the reconnect (pypowerwall-server #104).
ACCEPTED = 1
MIN_SOE_PCT = 20.0  # the home runs on the battery while islanded: not on less than a fifth of it
RECONNECT = "the grid connection (island mode 1)"


def _island(target: Target, key: SigningKey, din: str, mode: int) -> None:
    off = mode == tedapi.OFF_GRID
    body = tedapi.island_mode_body(mode, force=off)
    what = f"island mode {mode} ({'off grid' if off else 'back on the grid'})"
    answer = v1r.command(target, key, din, body, tedapi.ISLAND_MODE_ANSWER, what)
    result = tedapi.numbers(answer).get(1, 0)
    assert result == ACCEPTED, f"{what} answered result {result}, not 1 (accepted)"


def _black_start(target: Target, key: SigningKey, din: str) -> None:
    body = tedapi.teg_body(tedapi.BLACK_START)
    v1r.command(target, key, din, body, tedapi.BLACK_START_ANSWER, "trigger_islanding_black_start")


def _islands_and_reconnects(target: Target, key: SigningKey, din: str, what: str, off_grid: Callable[[], None]) -> None:
    """``off_grid`` (``what``: island mode 6, or the black start) islands a grid-connected site, and island mode 1
    puts it back on the grid; the ledger reconnects should the check stop between the two."""

    def grid_status() -> str:
        return str(live.read_json(target, GRID_STATUS)["grid_status"])

    assert grid_status() == "SystemGridConnected", "islanding needs a grid-connected site to start from"
    soe_pct = float(live.read_json(target, SOE)["percentage"])
    if soe_pct < MIN_SOE_PCT:
        pytest.skip(f"the battery holds {soe_pct:.0f} %: the suite islands a home only on {MIN_SOE_PCT:.0f} % or more")
    target.remember(RECONNECT, lambda: _island(target, key, din, tedapi.BACK_ON_GRID))
    off_grid()
    target.until(
        f"islanding (SystemIslandedActive) after {what} was accepted",
        lambda: grid_status() == "SystemIslandedActive",
    )
    site_w = float(live.read_json(target, AGGREGATES)["site"]["instant_power"])
    assert abs(site_w) <= 50, f"an islanded site exchanges {site_w:.0f} W with the grid"
    target.restore(RECONNECT)
    target.until(
        "reconnection (SystemGridConnected) after island mode 1 was accepted",
        lambda: grid_status() == "SystemGridConnected",
    )


@pytest.mark.disruptive
@pytest.mark.serves(f"GET {GRID_STATUS}", f"GET {SOE}", f"GET {AGGREGATES}")
def test_v1r_island_mode_takes_the_site_off_the_grid_and_back(target: Target, key: SigningKey, din: str) -> None:
    _islands_and_reconnects(target, key, din, "island mode 6", lambda: _island(target, key, din, tedapi.OFF_GRID))


# The black start (aiopowerwall's trigger_islanding) opens the contactor as island mode 6 does (research section
# 7: "same as off-grid"). Where it is safe is where islanding is: a grid-connected site whose battery can carry
# the home for the minute it takes; island mode 1 reconnects it.
@pytest.mark.disruptive
@pytest.mark.serves(f"GET {GRID_STATUS}", f"GET {SOE}", f"GET {AGGREGATES}")
def test_v1r_a_black_start_islands_the_site_until_reconnected(target: Target, key: SigningKey, din: str) -> None:
    _islands_and_reconnects(target, key, din, "the black start", lambda: _black_start(target, key, din))
