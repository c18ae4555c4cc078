"""Local solar and civil time for a site, cheap enough to call every simulated second."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


class LocalTime:
    """Converts POSIX seconds to the site's local hour of day and day of year.

    UTC offsets are cached per UTC hour: a zone can only change its offset on
    an hour boundary in practice, and zoneinfo lookups are the slowest part
    of a model step otherwise.
    """

    __slots__ = ("zone", "_offsets")

    def __init__(self, tz_name: str) -> None:
        self.zone = ZoneInfo(tz_name)
        self._offsets: dict[int, float] = {}

    def utc_offset_s(self, t: float) -> float:
        bucket = int(t // 3600)
        offset = self._offsets.get(bucket)
        if offset is None:
            moment = datetime.fromtimestamp(bucket * 3600, tz=UTC).astimezone(self.zone)
            utc_offset = moment.utcoffset()
            offset = utc_offset.total_seconds() if utc_offset is not None else 0.0  # aware: never None
            if len(self._offsets) > 10_000:
                self._offsets.clear()
            self._offsets[bucket] = offset
        return offset

    def hour_of_day(self, t: float) -> float:
        """Local civil hour in [0, 24)."""
        return ((t + self.utc_offset_s(t)) % 86_400.0) / 3_600.0

    def datetime(self, t: float) -> datetime:
        return datetime.fromtimestamp(t, tz=self.zone)
