"""Below ASGI: the limits a hostile network needs, shared by both HTTP stacks, and a way to drop a connection.

:class:`Protections` is mixed in before uvicorn's protocol class, h11's or httptools' (see
:mod:`emulator.serving.h11_protocol` and :mod:`emulator.serving.httptools_protocol`), so both stacks keep
the same guarantees; each says only how its parser tells "in the middle of a request".

* **Slow clients.** uvicorn waits for a request's headers and body forever, so a client that
  sends half a request holds a connection (and a file descriptor) for good; a few hundred of
  them lock everyone else out. Each connection here must deliver a whole request within
  ``REQUEST_TIMEOUT_S`` of its first byte (or of connecting); otherwise it is closed, counted in
  ``STATS`` and logged once per process (not once per connection).
* **Too many connections.** Past ``max_connections()`` a new connection gets a 503 JSON answer at
  once and is closed, so the process never runs out of file descriptors.
* **Drop faults.** Each connection is remembered by its (server, client) addresses -- the same
  pair ASGI puts in the scope -- so a middleware can abort the TCP connection a request arrived on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import resource
import socket
import time
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, cast

REQUEST_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 1000
ACCEPT_FAILURE_LOG_S = 60.0  # at most one "accept failed" line per this many seconds
STATS = {"slow_requests_closed": 0, "connections_refused": 0, "accept_failures": 0}
_Key = tuple[Any, Any]
_OPEN: dict[_Key, Protections] = {}
log = logging.getLogger("teg_emulator")
_BUSY_BODY = json.dumps(
    {"code": 503, "error": "Service Unavailable", "message": "too many open connections; try again shortly"}
).encode()
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + b"content-length: "
    + str(len(_BUSY_BODY)).encode()
    + b"\r\n\r\n"
    + _BUSY_BODY
)


# uvicorn's checks of a header name and value before it writes them (its httptools_impl's HEADER_RE and
# HEADER_VALUE_RE; tests/unit/test_uvicorn_internals.py checks they are still the same)
HEADER_NAME_REFUSED = re.compile(b'[\x00-\x1f\x7f()<>@,;:\\[\\]={} \t\\\\"]')
HEADER_VALUE_REFUSED = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")


def header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """The header lines uvicorn writes for ``headers`` (names in lower case), or None where its send would refuse
    one: made once for an answer's constant headers, so that writing them costs nothing per request."""
    lines = []
    for name, value in headers:
        if HEADER_NAME_REFUSED.search(name) or HEADER_VALUE_REFUSED.search(value):
            return None
        lines.append(name.lower() + b": " + value + b"\r\n")
    return b"".join(lines)


def max_connections() -> int:
    """Half the process's file-descriptor limit (the rest is for files, sockets it opens), at most 1000."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else min(MAX_CONNECTIONS, max(16, soft // 2))


def refuse(transport: asyncio.BaseTransport) -> None:
    """Answer the 503 and close: the one refusal of a connection past the cap, on every stack."""
    STATS["connections_refused"] += 1
    writer = cast(asyncio.WriteTransport, transport)  # uvloop's transports write but do not subclass asyncio's
    writer.write(BUSY)
    writer.close()


class Protections:
    """The deadline, the cap and the drop, for any uvicorn HTTP/1.1 protocol (mixed in first).

    The attributes below are the uvicorn protocol's; ``tests/unit/test_uvicorn_internals.py`` fails when a
    uvicorn release renames them.
    """

    transport: asyncio.Transport
    connections: set[Any]
    loop: asyncio.AbstractEventLoop
    server: Any
    client: Any
    cycle: Any
    _deadline: asyncio.TimerHandle | None = None
    _key: _Key | None = None
    admitted: object = None  # what the server noted when it accepted the connection (GatedServer's door)

    def _mid_request(self) -> bool:
        """True while part of a request (or nothing yet, on a fresh connection) has come in."""
        raise NotImplementedError

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]  # the uvicorn protocol after this mixin
        if len(self.connections) > max_connections():
            refuse(transport)
            return
        self._key = (_addr(self.server), _addr(self.client))
        _OPEN[self._key] = self
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        if self._mid_request():
            if self._deadline is None:  # the first byte of the next request on a kept-alive connection
                self._arm()
        else:  # the whole request is in (or the connection is closing): the app's time is not the client's
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._key is not None and _OPEN.get(self._key) is self:
            del _OPEN[self._key]
        super().connection_lost(exc)  # type: ignore[misc]

    def drop(self) -> None:
        """Abort the connection now, and tell the request being answered so at once.

        The transport reports the loss on a later turn of the loop (over TLS, several turns later);
        a handler that returns before then would be taken by uvicorn for one that "returned without
        starting response" and logged as an error. A dropped connection is the point, not an error.
        """
        self.transport.abort()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(REQUEST_TIMEOUT_S, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete and not self._mid_request():
            return  # the request is whole and being answered
        STATS["slow_requests_closed"] += 1
        if STATS["slow_requests_closed"] == 1:
            log.warning(
                "closed a connection that did not send a whole request within %g s "
                "(counted from now on; further ones are not logged)",
                REQUEST_TIMEOUT_S,
            )
        if not self.transport.is_closing():
            self.transport.close()


def _addr(value: Any) -> Any:
    return tuple(value) if value else None


def admitted(scope: MutableMapping[str, Any]) -> object:
    """What the server noted when it accepted the request's connection (None: nothing, or not served by us)."""
    connection = _OPEN.get((_addr(scope.get("server")), _addr(scope.get("client"))))
    return connection.admitted if connection is not None else None


def drop_idle(connections: Iterable[Any], dead: Callable[[object], bool]) -> None:
    """Abort each connection that sits between requests and whose note ``dead`` condemns (a gateway that
    rebooted knows nothing of it): a client's pool sees it closed and opens a new one for its next request."""
    for connection in list(connections):
        cycle = getattr(connection, "cycle", None)
        if (cycle is None or cycle.response_complete) and dead(getattr(connection, "admitted", None)):
            _shut_down(connection.transport)
            connection.transport.abort()


def _shut_down(transport: asyncio.BaseTransport) -> None:
    """Send the FIN now: an event loop closes an aborted transport's socket a turn later, and a client that reuses
    the connection in between would have its request cut instead of opening a new connection."""
    sock = transport.get_extra_info("socket")
    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return
    try:
        with socket.socket(fileno=os.dup(fd)) as twin:  # uvloop's transport sockets do not shut down themselves
            twin.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone


def abort_connection(scope: MutableMapping[str, Any]) -> bool:
    """Drop the request's TCP connection at once (no status line, no body). False if not served by uvicorn."""
    connection = _OPEN.pop((_addr(scope.get("server")), _addr(scope.get("client"))), None)
    if connection is None:
        return False
    connection.drop()
    return True


class CutOnStop:
    """ASGI middleware: a request cancelled by a stopping server loses its connection instead of getting a 500.

    uvicorn cancels requests still running when its shutdown grace ends (a latency or slow-body
    fault can hold one for minutes) and answers the cancelled ones 500; a gateway that goes away
    just drops the connection, and no 500 should ever come from the emulator.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except asyncio.CancelledError:
            if scope.get("type") == "http":
                abort_connection(scope)
            raise


class _OncePerMinute:
    """Counts accept failures (out of file descriptors) and says when the next one may be logged."""

    def __init__(self) -> None:
        self._last = float("-inf")

    def should_log(self, now: float) -> bool:
        STATS["accept_failures"] = STATS.get("accept_failures", 0) + 1
        if now - self._last < ACCEPT_FAILURE_LOG_S:
            return False
        self._last = now
        return True


_ACCEPT_FAILURES = _OncePerMinute()
ACCEPT_FAILED = "accept failed: %s (counted; repeats are not logged for a minute)"


def accept_failed(exc: OSError) -> None:
    """An accept of our own (the TLS listener's) failed, e.g. EMFILE: keep serving, log one line a minute."""
    if _ACCEPT_FAILURES.should_log(time.monotonic()):
        log.warning(ACCEPT_FAILED, exc.strerror or exc)


class _AcceptFailuresOnce(logging.Filter):
    """asyncio logs 'socket.accept() out of system resource' with a traceback for every accept it tries in a
    burst (up to the listen backlog, again every second): thousands of tracebacks when the process runs out of
    file descriptors. Keep the first of each minute, without its traceback, and count the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Exception in callback BaseSelectorEventLoop._start_serving"):
            return False  # asyncio's accept retry firing after the server closed its socket on the way out
        if not message.startswith("socket.accept() out of system resource"):
            return True
        if not _ACCEPT_FAILURES.should_log(time.monotonic()):
            return False
        record.msg, record.args = ACCEPT_FAILED, ("out of file descriptors",)
        record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("asyncio").addFilter(_AcceptFailuresOnce())
