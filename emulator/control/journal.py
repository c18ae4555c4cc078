"""The request journal: every request the emulator answered, in a bounded ring buffer.

Lets a test assert how a client behaved ("logged in once, polled aggregates
no faster than every 5 s"). Credentials never enter it: authorization and
cookie headers are dropped and login passwords redacted.
"""

from __future__ import annotations

import fnmatch
import json
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

MAX_BODY_CHARS = 4096
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
SECRET_FIELDS = frozenset({"password", "old_password", "new_password", "token"})
REDACTED = "***"
_SECRET_HEADER_BYTES = frozenset(h.encode() for h in SECRET_HEADERS)


@dataclass(slots=True)  # not frozen: frozen __init__ costs microseconds on every request
class JournalEntry:
    seq: int
    real_time: float  # seconds since the emulator started (monotonic)
    sim_time: float  # the gateway's sim time when the request arrived (POSIX seconds)
    method: str
    path: str
    query: str
    headers: tuple[tuple[bytes, bytes], ...]  # credentials already removed; decoded when read
    body: str
    status: int
    latency_ms: float
    fault: str | None  # the id of the fault rule that fired, if any

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["headers"] = {k.decode("latin-1"): v.decode("latin-1") for k, v in self.headers}
        return data


_SHARED_MAX = 4096
_shared: dict[object, object] = {}


def shared(value: Any) -> Any:
    """One copy of an equal value already held (a poller sends the same headers and paths every time).

    A fleet of thousands of gateways keeps a journal each; sharing equal header tuples and paths
    makes an entry cost ~0.25 KB instead of ~0.7 KB. Bounded: the table starts over when full.
    """
    kept = _shared.get(value)
    if kept is None:
        if len(_shared) >= _SHARED_MAX:
            _shared.clear()
        kept = _shared[value] = value
    return kept


def redact_headers(headers: list[tuple[bytes, bytes]]) -> tuple[tuple[bytes, bytes], ...]:
    """Drop credential headers without decoding the rest (this runs on every request)."""
    kept: tuple[tuple[bytes, bytes], ...] = shared(
        tuple((k, v) for k, v in headers if k.lower() not in _SECRET_HEADER_BYTES)
    )
    return kept


def redact_body(body: bytes, content_type: str) -> str:
    """The body as text with any password-like field masked; bounded in size."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace")
    if "x-www-form-urlencoded" in content_type:
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode([(k, REDACTED if k in SECRET_FIELDS else v) for k, v in pairs])
    elif text.strip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and SECRET_FIELDS & data.keys():
            text = json.dumps({k: REDACTED if k in SECRET_FIELDS else v for k, v in data.items()})
    elif any(field in text for field in SECRET_FIELDS):
        text = REDACTED  # unparseable but looks secret: keep nothing
    return text[:MAX_BODY_CHARS]


class Journal:
    def __init__(self, size: int = 1000) -> None:
        if size < 1:
            raise ValueError("journal size must be >= 1")
        self._entries: deque[JournalEntry | tuple[Any, ...]] = deque(maxlen=size)
        self._seq = 0

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add(self, entry: JournalEntry) -> None:
        self._entries.append(entry)

    def record(self, *fields: Any) -> None:
        """Append an entry given as JournalEntry's fields in order (no object built on the request path)."""
        self._seq += 1
        self._entries.append((self._seq, *fields))

    def clear(self) -> None:
        self._entries.clear()

    def query(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        since_seq: int | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Entries oldest first, filtered; ``path`` is a glob (``/api/meters/*``)."""
        entries = [e if isinstance(e, JournalEntry) else JournalEntry(*e) for e in self._entries]
        found = [
            e
            for e in entries
            if (method is None or e.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(e.path, path))
            and (status is None or e.status == status)
            and (since_seq is None or e.seq > since_seq)
        ]
        return found[-limit:] if limit else found
