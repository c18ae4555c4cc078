"""The firmware-update state machine behind /api/system/update/status.

Idle, it reports the seed's "/update_failed" + "nonactionable" (checked, no
update needed). A check or an update walks through the states real gateways
report, each lasting a number of simulated seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

CHECKING = "/clear_update_status"
DOWNLOADING = "/download"
DOWNLOADED = "/update_downloaded"
STAGED = "/update_staged"
SUCCEEDED = "/update_succeeded"
FAILED = "/update_failed"
UNKNOWN = "/update_unknown"
UPDATE_STATES = (CHECKING, SUCCEEDED, FAILED, STAGED, DOWNLOADING, DOWNLOADED, UNKNOWN)


@dataclass(frozen=True, slots=True)
class UpdatePhase:
    """One phase of a firmware update as the gateway reports it, and how long it lasts."""

    state: str
    status: str  # "nonactionable" | "ignoring" | "error"
    duration_s: float


def update_sequence(
    check_s: float = 30.0, download_s: float = 300.0, install_s: float = 600.0
) -> tuple[UpdatePhase, ...]:
    """Check, download, stage (battery paused while installing), succeed."""
    return (
        UpdatePhase(CHECKING, "ignoring", check_s),
        UpdatePhase(DOWNLOADING, "ignoring", download_s),
        UpdatePhase(DOWNLOADED, "ignoring", 5.0),
        UpdatePhase(STAGED, "ignoring", install_s),
        UpdatePhase(SUCCEEDED, "nonactionable", 0.0),
    )


def check_only_sequence(check_s: float = 30.0) -> tuple[UpdatePhase, ...]:
    """A check that finds the firmware current: the gateway reports update_failed/nonactionable."""
    return (UpdatePhase(CHECKING, "ignoring", check_s), UpdatePhase(FAILED, "nonactionable", 0.0))


class UpdateStatus:
    def __init__(self, now: float) -> None:
        self.state = FAILED
        self.status = "nonactionable"
        self.last_status_time = now
        self._phases: list[UpdatePhase] = []
        self._phase_end = now

    def start(self, phases: tuple[UpdatePhase, ...], now: float) -> None:
        self._phases = list(phases)
        self._enter_next(now)

    def _enter_next(self, at: float) -> None:
        phase = self._phases.pop(0)
        self.state, self.status, self.last_status_time = phase.state, phase.status, at
        self._phase_end = at + phase.duration_s
        if not phase.duration_s and self._phases:
            self._enter_next(at)

    def next_change(self) -> float | None:
        return self._phase_end if self._phases else None

    def advance(self, now: float) -> None:
        while self._phases and now >= self._phase_end:
            self._enter_next(self._phase_end)

    @property
    def running(self) -> bool:
        """A check or an update has states still to walk."""
        return bool(self._phases)

    @property
    def installing(self) -> bool:
        return self.state == STAGED
