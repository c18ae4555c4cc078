"""The gateway's own commands (``Envelope.teg``): islanding, manual backup, battery dispatch, calibration delay.

Each checks what it is asked before the gateway changes anything, and acts through a gateway method, so
the model, /api/ and /_emulator/state see the change at once. Times a client stamped (a manual backup's
start) are wall-clock times: they are answered back as sent and mapped onto the simulated clock only
inside the gateway; durations run on the simulated clock.
"""

from __future__ import annotations

import math
import time

from emulator.device import commands
from emulator.device.errors import bad_request, error
from emulator.device.site_controls import CommandRefused
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.dispatch import Call, command

OFF_GRID_MODES = (3, 6)  # intentional; intentional with reconnect failsafe (what both clients send)
ON_GRID_MODES = (1,)  # auto active: back on the grid
ACCEPTED, REJECTED_LOW_ENERGY = 1, 4
LOW_ENERGY_PCT = 5.0  # raw SOE at or below which the batteries cannot form a grid (the app's 0 %)
MAX_DISPATCH_S = 86_400
MAX_BACKUP_S = 7 * 86_400
MAX_START_OFFSET_S = 7 * 86_400  # how far from now a manual backup may start (wall clock)
MAX_DELAY_HOURS = 8_760
MAX_POWER_W = 1_000_000


@command("teg", "set_island_mode_request", writes=True)
def set_island_mode(call: Call, request: pb.SetIslandModeRequest, reply: pb.Envelope) -> None:
    if request.mode not in OFF_GRID_MODES + ON_GRID_MODES:
        raise bad_request(f"island mode {request.mode} is not one the gateway takes (6: off grid, 1: back on grid)")
    off_grid = request.mode in OFF_GRID_MODES
    if off_grid and call.snap.soe_pct <= LOW_ENERGY_PCT:
        reply.teg.set_island_mode_response.result = REJECTED_LOW_ENERGY
        return
    commands.request_island(call.gateway, off_grid)
    reply.teg.set_island_mode_response.result = ACCEPTED


@command("teg", "trigger_islanding_black_start_request", writes=True)
def black_start(call: Call, _request: pb.Empty, reply: pb.Envelope) -> None:
    """The explicit islanding transition: the same grid machine as an off-grid request."""
    commands.request_island(call.gateway, True)
    reply.teg.trigger_islanding_black_start_response.SetInParent()


@command("teg", "schedule_manual_backup_event_request", writes=True)
def schedule_backup(call: Call, request: pb.ScheduleManualBackupEventRequest, reply: pb.Envelope) -> None:
    info = request.scheduling_info
    wall_now = time.time()
    if not 1 <= info.duration_seconds <= MAX_BACKUP_S:
        raise bad_request(f"a manual backup lasts 1 to {MAX_BACKUP_S} seconds, not {info.duration_seconds}")
    if abs(info.start_time.seconds - wall_now) > MAX_START_OFFSET_S:
        raise bad_request("a manual backup starts within a week of now")
    if call.snap.site_controls.backup_event is not None:
        raise error("backup_event_scheduled")
    commands.schedule_backup(call.gateway, info.start_time.seconds, info.duration_seconds, info.priority, wall_now)
    reply.teg.schedule_manual_backup_event_response.SetInParent()


@command("teg", "cancel_manual_backup_event_request", writes=True)
def cancel_backup(call: Call, _request: pb.Empty, reply: pb.Envelope) -> None:
    """Acknowledged also when nothing is scheduled: clients cancel before every schedule."""
    commands.cancel_backup(call.gateway)
    reply.teg.cancel_manual_backup_event_response.SetInParent()


@command("teg", "get_backup_events_request", per_sample=True)
def backup_events(call: Call, _request: pb.Empty, reply: pb.Envelope) -> None:
    events = reply.teg.get_backup_events_response
    events.SetInParent()
    event = call.snap.site_controls.backup_event
    if event is not None:  # listed until it ends on the gateway's clock
        info = events.manual_backup_event.scheduling_info
        info.start_time.seconds = event.start_time_s
        info.duration_seconds = event.duration_s
        info.priority = event.priority


@command("teg", "dispatch_battery_power_request", writes=True)
def dispatch_battery_power(call: Call, request: pb.DispatchBatteryPowerRequest, reply: pb.Envelope) -> None:
    which = request.WhichOneof("command")
    if which == "real_power":
        power, duration = request.real_power.power_watts, request.real_power.duration_seconds
        if not math.isfinite(power) or abs(power) > MAX_POWER_W:
            raise bad_request(f"power_watts must be a finite number of at most {MAX_POWER_W} W either way")
        if not 1 <= duration <= MAX_DISPATCH_S:
            raise bad_request(f"duration_seconds must be 1 to {MAX_DISPATCH_S}, not {duration}")
        commands.dispatch_battery(call.gateway, power, duration)
    elif which == "resume_device_mode":
        commands.resume_battery(call.gateway)  # acknowledged also when no setpoint is active
    else:
        raise bad_request("a dispatch is real_power or resume_device_mode")
    reply.teg.dispatch_battery_power_response.SetInParent()


@command("teg", "delay_battery_calibration_request", writes=True)
def delay_calibration(call: Call, request: pb.DelayBatteryCalibrationRequest, reply: pb.Envelope) -> None:
    if not 1 <= request.delay_hours <= MAX_DELAY_HOURS:
        raise bad_request(f"delay_hours must be 1 to {MAX_DELAY_HOURS}, not {request.delay_hours}")
    try:
        commands.delay_calibration(call.gateway, request.delay_hours)
    except CommandRefused as exc:
        raise error("command_refused", detail=str(exc)) from None
    reply.teg.delay_battery_calibration_response.SetInParent()


@command("teg", "get_delay_battery_calibration_status_request", per_sample=True)
def calibration_status(call: Call, _request: pb.Empty, reply: pb.Envelope) -> None:
    calibration = call.snap.site_controls.calibration
    status = reply.teg.get_delay_battery_calibration_status_response
    status.SetInParent()
    status.calibration_delays_left = calibration.delays_left
    status.calibration_delay_remaining_seconds = calibration.remaining_s(call.snap.t)
    status.max_calibration_delays = calibration.max_delays
