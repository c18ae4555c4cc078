"""The gateway's odd wire formats, in one place: Go timestamps, durations, and friends."""

from __future__ import annotations

import base64
import ipaddress
from datetime import UTC, datetime, timedelta, timezone, tzinfo

GO_ZERO_TIME = "0001-01-01T00:00:00Z"
_START_TIME_ZONE = timezone(timedelta(hours=8))  # every capture 2018-2024 reports +0800


def rfc3339nano(t: float, zone: tzinfo) -> str:
    """Go's RFC3339Nano in the site's zone: nanosecond digits with trailing zeros trimmed."""
    whole = int(t // 1)
    nanos = int(round((t - whole) * 1e9))
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, nanos - 1_000_000_000
    moment = datetime.fromtimestamp(whole, tz=zone)
    frac = f".{nanos:09d}".rstrip("0") if nanos else ""
    offset = moment.strftime("%z")
    offset = "Z" if offset in ("+0000", "") and zone is UTC else f"{offset[:3]}:{offset[3:]}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + frac + offset


def start_time(t: float) -> str:
    """/api/status start_time: ``YYYY-MM-DD HH:MM:SS +0800`` whatever the site's zone."""
    return datetime.fromtimestamp(int(t), tz=_START_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S %z")


def go_duration(seconds: float) -> str:
    """A Go time.Duration string such as ``402h8m19.937911668s`` (hours may exceed 24)."""
    seconds = max(0.0, seconds)
    nanos = int(round(seconds * 1e9))
    hours, rem = divmod(nanos, 3_600 * 10**9)
    minutes, rem = divmod(rem, 60 * 10**9)
    secs, frac = divmod(rem, 10**9)
    sec_text = f"{secs}.{frac:09d}".rstrip("0").rstrip(".") if frac else str(secs)
    if hours:
        return f"{hours}h{minutes}m{sec_text}s"
    if minutes:
        return f"{minutes}m{sec_text}s"
    return f"{sec_text}s"


def epoch_ms(t: float) -> int:
    return int(t * 1000)


def go_ipnet(netmask: str) -> dict[str, str]:
    """A Go ``net.IPNet`` as encoding/json writes it, as 23.28+ does in /api/networks ip_networks.

    The mask is a byte slice, so base64 (255.255.255.0 -> ``////AA==``); the captures
    show the IP empty (a nil net.IP) whatever the interface's address.
    """
    mask = ipaddress.IPv4Address(netmask).packed
    return {"IP": "", "Mask": base64.b64encode(mask).decode("ascii")}
