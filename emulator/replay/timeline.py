"""Where a replay is: the sim clock's time mapped onto the recording's timeline.

Replay time starts at the recording's ``recorded_at`` and runs on a
:class:`~emulator.device.clock.SimClock`, so speed, pause, advance and seek behave
exactly as they do for a simulated gateway. A request gets, for its method and
path (and, on the TEDAPI, the kind of request and the device it asks), the latest response recorded at or before the current position (the
earliest one before that path was first polled). With ``loop`` the position
wraps after the last poll plus one interval; without it the last answers stay.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

from emulator.device.clock import SimClock
from emulator.replay.format import Recorded, Recording


@dataclass(frozen=True, slots=True)
class Prepared:
    """A recorded answer encoded once, ready to send."""

    status: int
    content: bytes
    content_type: str | None


class Replay:
    def __init__(self, recording: Recording, clock: SimClock, *, loop: bool = False) -> None:
        if not recording.responses:
            raise ValueError("the recording holds no responses")
        self.recording = recording
        self.clock = clock
        self.loop = loop
        self.start = recording.header.started
        self.duration_s = recording.duration_s
        self.period_s = self.duration_s + recording.header.interval_s  # the last answers show for one interval
        self._times: dict[_Key, list[float]] = {}
        self._answers: dict[_Key, list[Prepared]] = {}
        for recorded in recording.responses:
            key = (recorded.method, _tedapi_path(recorded.path), recorded.request, recorded.device)
            self._times.setdefault(key, []).append(recorded.t)
            self._answers.setdefault(key, []).append(_prepare(recorded))

    # -- where we are --------------------------------------------------------
    def elapsed_s(self) -> float:
        """Replay seconds since the start, loops included.

        Rounded to the microsecond: POSIX seconds as floats carry ~0.2 us of noise,
        and a seek to a recorded ``t`` must land on it, not just before it.
        """
        return max(0.0, round(self.clock.now() - self.start, 6))

    def position_s(self) -> float:
        """The moment of the recording being served now."""
        elapsed = self.elapsed_s()
        return elapsed % self.period_s if self.loop else min(elapsed, self.duration_s)

    def loops(self) -> int:
        return int(self.elapsed_s() // self.period_s) if self.loop else 0

    def finished(self) -> bool:
        return not self.loop and self.elapsed_s() >= self.duration_s

    def replay_time(self) -> datetime:
        return datetime.fromtimestamp(self.start + self.position_s(), tz=UTC)

    def seek(self, position_s: float) -> None:
        self.clock.set_time(self.start + position_s)

    # -- what to answer ------------------------------------------------------
    def paths(self) -> dict[str, list[str]]:
        """Every recorded path with its methods, in the order first recorded."""
        found: dict[str, list[str]] = {}
        for method, path, _, _ in self._times:
            methods = found.setdefault(path, [])
            if method not in methods:
                methods.append(method)
        return found

    def answer(self, method: str, path: str, request: str | None = None, device: str | None = None) -> Prepared | None:
        """The latest answer at or before the current position; None if never recorded.

        A TEDAPI request that asks a device gets the answer recorded from that device; failing that (a
        request of the gateway itself, which a client may address by its DIN), one recorded of the gateway.
        """
        method = "GET" if method == "HEAD" else method
        key: _Key = (method, _tedapi_path(path), request, device)
        if key not in self._times:
            key = (method, _tedapi_path(path), request, None)
        times = self._times.get(key)
        if times is None:
            return None
        index = bisect_right(times, self.position_s()) - 1
        return self._answers[key][max(index, 0)]


_Key = tuple[str, str, str | None, str | None]  # method, path, TEDAPI request kind, device DIN


def _tedapi_path(path: str) -> str:
    """/tedapi/device/{din}/v1 is /tedapi/v1 routed to one device: the device, not the path, picks the answer."""
    return "/tedapi/v1" if path.startswith("/tedapi/device/") else path


def _prepare(recorded: Recorded) -> Prepared:
    return Prepared(recorded.status, recorded.content(), recorded.content_type)
