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
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

MAX_BODY_CHARS = 4096
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
SECRET_FIELDS = frozenset({"password", "old_password", "new_password", "token", "passwd", "secret"})
MAX_BYTES = 4 * 1024 * 1024  # besides the entry count: a journal of big bodies stays small
REDACTED = "***"
_SECRET_HEADER_BYTES = frozenset(h.encode() for h in SECRET_HEADERS)


@dataclass(slots=True)  # not frozen: frozen __init__ costs microseconds on every request
class JournalEntry:
    """One answered request as a test reads it back; the journal keeps the fields as a tuple until asked."""

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
    firmware: str | None = None  # the firmware version that answered (cut by a reboot: the one booting)
    update_phase: str | None = None  # a firmware update's phase then (emulator.device.firmware_update); None: none

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
    """The body as text with every password-like field masked; bounded in size.

    A body that cannot be parsed as what it claims is kept only when it names no secret:
    half a JSON login is still a password in clear. A poller posts the same body again and again
    (the TEDAPI's 7 KB signed status query): up to 16 KiB, a body is redacted once and remembered.
    """
    if not body:
        return ""
    if len(body) > _REMEMBERED_BODY_BYTES:
        return _redact(body, content_type)
    global _last
    last = _last  # the body redacted last, compared before the cache's lookup hashes it (a poll's next body)
    if last is not None and last[0] == body and last[1] == content_type:
        return last[2]
    text = _redacted(body, content_type)
    _last = (body, content_type, text)
    return text


_REMEMBERED_BODY_BYTES = 16 * 1024
_last: tuple[bytes, str, str] | None = None


@lru_cache(maxsize=32)
def _redacted(body: bytes, content_type: str) -> str:
    return _redact(body, content_type)


def _redact(body: bytes, content_type: str) -> str:
    text = body.decode("utf-8", "replace")
    if "x-www-form-urlencoded" in content_type:
        return redact_query(text)[:MAX_BODY_CHARS]
    data: Any = None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
    if isinstance(data, dict):
        if _names_secret(text):
            text = json.dumps(_masked(data))
    elif _names_secret(text):
        text = REDACTED  # unparseable but looks secret: keep nothing
    return text[:MAX_BODY_CHARS]


def redact_query(query: str) -> str:
    """A query string (or form body) with secret fields masked; one that does not parse and names one goes."""
    if not _names_secret(query):
        return query
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return REDACTED
    return urlencode([(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs])


def _names_secret(text: str) -> bool:
    lowered = text.lower()
    return any(name in lowered for name in SECRET_FIELDS)


def _masked(value: Any, depth: int = 0) -> Any:
    """Secret fields masked at any depth (a parsed request body: already bounded by the door)."""
    if depth > 64:
        return REDACTED
    if isinstance(value, dict):
        return {k: REDACTED if k.lower() in SECRET_FIELDS else _masked(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, depth + 1) for v in value]
    return value


class Journal:
    """The last ``size`` entries, and never more than ``max_bytes`` of paths, queries, headers and bodies."""

    def __init__(self, size: int = 1000, max_bytes: int = MAX_BYTES) -> None:
        if size < 1:
            raise ValueError("journal size must be >= 1")
        self._entries: deque[JournalEntry | tuple[Any, ...]] = deque()
        self._weights: deque[int] = deque()  # each entry's, as counted when it came: dropping one reads no entry
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._seq = 0

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add(self, entry: JournalEntry) -> None:
        self._append(entry, _weight(entry.path, entry.query, entry.headers, entry.body))

    def record(self, *fields: Any) -> None:
        """Append an entry given as JournalEntry's fields in order (no object built on the request path)."""
        self._seq += 1
        self._append((self._seq, *fields), _weight(fields[3], fields[4], fields[5], fields[6]))

    def _append(self, entry: JournalEntry | tuple[Any, ...], weight: int) -> None:
        entries, weights = self._entries, self._weights
        entries.append(entry)
        weights.append(weight)
        self._bytes += weight
        while len(entries) > self._size or (self._bytes > self._max_bytes and len(entries) > 1):
            entries.popleft()
            self._bytes -= weights.popleft()

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        self._entries.clear()
        self._weights.clear()
        self._bytes = 0

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


def _weight(path: str, query: str, headers: tuple[tuple[bytes, bytes], ...], body: str) -> int:
    """An entry's variable size in bytes (what a hostile client controls), plus a fixed overhead."""
    return 200 + len(path) + len(query) + len(body) + _headers_size(headers)


_HEADER_SIZES: dict[int, tuple[tuple[tuple[bytes, bytes], ...], int]] = {}


def _headers_size(headers: tuple[tuple[bytes, bytes], ...]) -> int:
    """The bytes of ``headers``, counted once per tuple: a poller's come back as the same :func:`shared` tuple.

    Kept by identity with the tuple itself held, so an id is never taken for another tuple's; bounded like
    :func:`shared`'s table.
    """
    found = _HEADER_SIZES.get(id(headers))
    if found is not None and found[0] is headers:
        return found[1]
    size = sum(len(k) + len(v) for k, v in headers)
    if len(_HEADER_SIZES) >= _SHARED_MAX:
        _HEADER_SIZES.clear()
    _HEADER_SIZES[id(headers)] = (headers, size)
    return size
