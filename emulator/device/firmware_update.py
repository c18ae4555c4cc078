"""A firmware update that changes the contract: the gateway checks, downloads, installs, reboots, and comes
back speaking the new version.

Real gateways update themselves, and that is when client libraries break: 20.49 moved the API to HTTPS and
put almost everything behind a login, 23.44 removed ``/api/devices/vitals`` (pypowerwall #57). So an update
here does not leave the firmware as it was: it walks the states ``/api/system/update/status`` reports
(:mod:`emulator.device.updates`), then the gateway reboots for ``reboot_s`` simulated seconds, during which
it answers nobody (the serving layer cuts the connections), and it comes back with the new firmware's facts:
paths and their auth, transport, bodies, TEDAPI, password rule. Every login session ends; the site (SOE,
energy counters, configuration, the authorized keys) carries over, since it is the same hardware.

This module is the rules and the schedule, pure: which updates a site may take (:func:`refusal`), when each
phase begins (:class:`FirmwareChange`), and which connections a reboot ended (:class:`FirmwareUpdates`). The
gateway applies the effects at the instants given here, from inside its catch-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.contract import FirmwareFacts
from emulator.device.updates import CHECKING, DOWNLOADED, DOWNLOADING, STAGED, SUCCEEDED, UpdatePhase

MAX_REBOOT_S = 86_400.0  # a day: a longer "reboot" is a dead gateway, not an update
MAX_PHASE_S = 86_400.0  # each of check, download and install
DOWNLOADED_S = 5.0  # the gateway reports /update_downloaded this long before it stages the update
DEFAULT_REBOOT_S = 120.0  # assumed: no source times a gateway's reboot after an update
DEFAULT_CHECK_S, DEFAULT_DOWNLOAD_S, DEFAULT_INSTALL_S = 30.0, 300.0, 600.0  # as the scenario event's defaults

CHECKING_PHASE, DOWNLOADING_PHASE, INSTALLING_PHASE = "checking", "downloading", "installing"
REBOOTING_PHASE, DONE_PHASE = "rebooting", "done"
PHASES = (CHECKING_PHASE, DOWNLOADING_PHASE, INSTALLING_PHASE, REBOOTING_PHASE, DONE_PHASE)
"""What ``/_emulator/state`` and the request journal call each stretch of an update."""


class UpdateRefused(ValueError):
    """An update the gateway will not take; ``status`` is the HTTP status the control API answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def version_key(version: str) -> tuple[int, ...]:
    """``"21.44.1"`` as ``(21, 44, 1)``: versions order by their numbers, not as text."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def refusal(current: FirmwareFacts, target: FirmwareFacts, *, allow_downgrade: bool) -> UpdateRefused | None:
    """Why a site running ``current`` cannot move to ``target`` (None: it can).

    A different hardware generation is another product, not an update (a Powerwall 2 site cannot become a
    Powerwall 3 one); going back a version is a downgrade, which only a deliberate ``allow_downgrade`` takes.
    """
    if target.hardware != current.hardware:
        return UpdateRefused(
            f"firmware {target.version} is for {_hardware(target.hardware)} hardware and this site is "
            f"{_hardware(current.hardware)}: an update cannot change the hardware (start another gateway instead)"
        )
    if target.version == current.version:
        return UpdateRefused(f"the gateway already runs firmware {current.version}", 409)
    if version_key(target.version) < version_key(current.version) and not allow_downgrade:
        return UpdateRefused(
            f"firmware {target.version} is older than the running {current.version}: "
            'a downgrade needs "allow_downgrade": true'
        )
    return None


def _hardware(name: str) -> str:
    return {"powerwall2": "Powerwall 2", "powerwall3": "Powerwall 3"}.get(name, name)


@dataclass(frozen=True)
class Durations:
    """How long each step of an update lasts, in simulated seconds."""

    check_s: float = DEFAULT_CHECK_S
    download_s: float = DEFAULT_DOWNLOAD_S
    install_s: float = DEFAULT_INSTALL_S
    reboot_s: float = DEFAULT_REBOOT_S

    def __post_init__(self) -> None:
        for name, value, top in (
            ("check_s", self.check_s, MAX_PHASE_S),
            ("download_s", self.download_s, MAX_PHASE_S),
            ("install_s", self.install_s, MAX_PHASE_S),
            ("reboot_s", self.reboot_s, MAX_REBOOT_S),
        ):
            if not (math.isfinite(value) and 0 <= value <= top):
                raise UpdateRefused(f"{name} must be 0 to {top:g} simulated seconds, not {value!r}")


@dataclass(frozen=True)
class FirmwareChange:
    """One update from ``source`` to ``target``, scheduled at ``started_at`` (simulated POSIX seconds)."""

    source: FirmwareFacts
    target: FirmwareFacts
    started_at: float
    durations: Durations

    @property
    def reboot_at(self) -> float:
        """When the gateway goes down to boot the new firmware (the install is done)."""
        d = self.durations
        return self.started_at + d.check_s + d.download_s + DOWNLOADED_S + d.install_s

    @property
    def back_at(self) -> float:
        """When it answers again, on the new firmware."""
        return self.reboot_at + self.durations.reboot_s

    def update_phases(self) -> tuple[UpdatePhase, ...]:
        """What /api/system/update/status walks through: staged while it installs and reboots, then succeeded."""
        d = self.durations
        return (
            UpdatePhase(CHECKING, "ignoring", d.check_s),
            UpdatePhase(DOWNLOADING, "ignoring", d.download_s),
            UpdatePhase(DOWNLOADED, "ignoring", DOWNLOADED_S),
            UpdatePhase(STAGED, "ignoring", d.install_s + d.reboot_s),
            UpdatePhase(SUCCEEDED, "nonactionable", 0.0),
        )

    def phase_at(self, t: float) -> str:
        d = self.durations
        if t >= self.back_at:
            return DONE_PHASE
        if t >= self.reboot_at:
            return REBOOTING_PHASE
        if t >= self.reboot_at - d.install_s:
            return INSTALLING_PHASE
        return DOWNLOADING_PHASE if t >= self.started_at + d.check_s else CHECKING_PHASE

    def as_json(self, now: float) -> dict[str, Any]:
        """The update as /_emulator/state and /_emulator/firmware show it."""
        return {
            "from": self.source.version,
            "to": self.target.version,
            "phase": self.phase_at(now),
            "started_at_s": self.started_at,
            "reboot_at_s": self.reboot_at,
            "back_at_s": self.back_at,
            "reboot_s": self.durations.reboot_s,
        }


@dataclass(frozen=True, slots=True)
class Stamp:
    """When a connection was accepted: the gateway's life (resets) and its simulated time then."""

    life: int
    at: float


class FirmwareUpdates:
    """The update under way or last done, and the reboot windows that ended connections.

    A connection accepted before a reboot is dead after it (a rebooted gateway knows nothing of it), so a
    request on it is cut; during the reboot every request is. Only the latest window that has begun matters:
    a connection older than its end did not live through it.
    """

    def __init__(self) -> None:
        self.change: FirmwareChange | None = None
        self._previous: tuple[float, float] | None = None  # the reboot window of the update before ``change``
        self._life = 0
        self.applied = 0  # the steps of ``change`` taken so far: 1 once rebooted, 2 once back
        self.watchers: list[Callable[[], None]] = []  # told at each reboot's first instant (who serves the port)

    def reset(self) -> None:
        """The gateway starts over (reset, a scenario): no update, no window; older connections predate it."""
        self.change, self._previous, self.applied = None, None, 0
        self._life += 1

    @property
    def running(self) -> bool:
        return self.change is not None and self.applied < 2

    @property
    def target_version(self) -> str | None:
        """The version an update under way installs (None: none is under way)."""
        return self.change.target.version if self.change is not None and self.running else None

    def begin(self, change: FirmwareChange) -> None:
        if self.change is not None:
            self._previous = (self.change.reboot_at, self.change.back_at)
        self.change, self.applied = change, 0

    def next_step_at(self) -> float | None:
        """The next instant the gateway must stop at to reboot or come back (None: nothing pending)."""
        change = self.change
        if change is None or self.applied >= 2:
            return None
        return change.reboot_at if self.applied == 0 else change.back_at

    def facts_at(self, t: float, running: FirmwareFacts) -> FirmwareFacts:
        """The firmware in charge at ``t``, even before the gateway has caught up to the reboot."""
        change = self.change
        return change.target if change is not None and self.applied == 0 and t >= change.reboot_at else running

    def switch_due(self, t: float) -> bool:
        """The reboot has begun by ``t`` but the gateway has not stepped to it yet."""
        change = self.change
        return change is not None and self.applied == 0 and t >= change.reboot_at

    def stamp(self, now: float) -> Stamp:
        return Stamp(self._life, now)

    @property
    def ever(self) -> bool:
        """Whether any update has been scheduled since the last reset (the hot path's one check)."""
        return self.change is not None

    def down_at(self, t: float) -> bool:
        window = self._window_begun_by(t)
        return window is not None and window[0] <= t < window[1]

    def cut(self, stamp: object, t: float) -> bool:
        """Whether a request at ``t`` on a connection accepted at ``stamp`` goes unanswered (no :class:`Stamp`:
        not known, judged by whether the gateway is down now)."""
        window = self._window_begun_by(t)
        if window is None:
            return False
        if not isinstance(stamp, Stamp):
            return t < window[1]
        accepted = stamp.at if stamp.life == self._life else -math.inf
        return accepted < window[1]

    def predates_reboot(self, stamp: object, t: float) -> bool:
        """Whether a connection accepted at ``stamp`` was open when the latest reboot by ``t`` began: the reboot
        ended it (a connection accepted during the reboot, by the control API, is not ended by it)."""
        window = self._window_begun_by(t)
        if window is None or not isinstance(stamp, Stamp):
            return False
        return stamp.life != self._life or stamp.at < window[0]

    def _window_begun_by(self, t: float) -> tuple[float, float] | None:
        change = self.change
        if change is not None and change.reboot_at <= t:
            return change.reboot_at, change.back_at
        return self._previous if self._previous is not None and self._previous[0] <= t else None
