"""The simulated clock: the only source of time for the gateway and its site.

Sim time runs at ``speed`` times real time, can be paused, and can be advanced
by hand. It reads real time from an injected monotonic function so that tests
and the scenario runner can drive it without sleeping, and nothing else in the
emulator ever reads the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Monotonic = Callable[[], float]


class SimClock:
    """Sim time as POSIX seconds, derived from an injected monotonic source.

    The clock keeps an anchor (real instant, sim instant) and extrapolates
    from it at ``speed``; every change of speed or pause re-anchors, so the
    sim time is continuous and never jumps except through :meth:`advance`.
    """

    def __init__(
        self,
        start: float | datetime,
        *,
        speed: float = 1.0,
        paused: bool = False,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._monotonic = monotonic
        self._anchor_real = monotonic()
        self._anchor_sim = _to_posix(start)
        self._speed = float(speed)
        self._paused = paused

    # -- reading ------------------------------------------------------------
    def now(self) -> float:
        """Current sim time in POSIX seconds."""
        if self._paused or self._speed == 0:
            return self._anchor_sim
        return self._anchor_sim + (self._monotonic() - self._anchor_real) * self._speed

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def real_time(self) -> float:
        """Real (monotonic) seconds, for things that are about clients, not the site.

        Login throttling cool-downs, for example, must end in real time even
        when the sim clock is paused.
        """
        return self._monotonic()

    def anchor(self) -> tuple[float, float, float, bool]:
        """What the clock extrapolates from; it changes with every speed change, pause, advance or set."""
        return (self._anchor_real, self._anchor_sim, self._speed, self._paused)

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    # -- changing -----------------------------------------------------------
    def _reanchor(self) -> None:
        self._anchor_sim = self.now()
        self._anchor_real = self._monotonic()

    def set_speed(self, speed: float) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._reanchor()
        self._speed = float(speed)

    def pause(self) -> None:
        self._reanchor()
        self._paused = True

    def resume(self) -> None:
        self._reanchor()
        self._paused = False

    def advance(self, seconds: float) -> None:
        """Jump sim time forward (the model catches up on the next read)."""
        if seconds < 0:
            raise ValueError("cannot advance by a negative amount")
        self._reanchor()
        self._anchor_sim += seconds

    def set_time(self, when: float | datetime) -> None:
        self._anchor_real = self._monotonic()
        self._anchor_sim = _to_posix(when)


def _to_posix(value: float | datetime) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("start time must carry a timezone")
        return value.timestamp()
    return float(value)
