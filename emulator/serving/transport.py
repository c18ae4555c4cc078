"""Below ASGI: uvicorn's h11 protocol with the limits a hostile network needs, and a way to drop a connection.

* **Slow clients.** uvicorn waits for a request's headers and body forever, so a client that
  sends half a request holds a connection (and a file descriptor) for good; a few hundred of
  them lock everyone else out. Each connection here must deliver a whole request within
  ``REQUEST_TIMEOUT_S`` of its first byte (or of connecting); otherwise it is closed, counted in
  ``STATS`` and logged once per process (not once per connection).
* **Too many connections.** Past ``max_connections()`` a new connection gets a 503 JSON answer at
  once and is closed, so the process never runs out of file descriptors.
* **Drop faults.** Each connection's transport is remembered by its (server, client) addresses —
  the same pair ASGI puts in the scope — so a middleware can abort the TCP connection a request
  arrived on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from collections.abc import MutableMapping
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 1000
STATS = {"slow_requests_closed": 0, "connections_refused": 0, "accept_failures": 0}
_Key = tuple[Any, Any]
_TRANSPORTS: dict[_Key, asyncio.Transport] = {}
log = logging.getLogger("teg_emulator")
_BUSY_BODY = json.dumps(
    {"code": 503, "error": "Service Unavailable", "message": "too many open connections; try again shortly"}
).encode()
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + b"content-length: "
    + str(len(_BUSY_BODY)).encode()
    + b"\r\n\r\n"
    + _BUSY_BODY
)


def max_connections() -> int:
    """Half the process's file-descriptor limit (the rest is for files, sockets it opens), at most 1000."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else min(MAX_CONNECTIONS, max(16, soft // 2))


class TrackedH11Protocol(H11Protocol):
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn hands its protocols a Transport, never a bare BaseTransport
        super().connection_made(transport)
        if len(self.connections) > max_connections():
            STATS["connections_refused"] += 1
            transport.write(_BUSY)
            transport.close()
            return
        _TRANSPORTS[(_addr(self.server), _addr(self.client))] = transport
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            if self._deadline is None:  # the first byte of the next request on a kept-alive connection
                self._arm()
        else:  # the whole request is in (or the connection is closing): the app's time is not the client's
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        _TRANSPORTS.pop((_addr(self.server), _addr(self.client)), None)
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle between requests is uvicorn's keep-alive timeout's business

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(REQUEST_TIMEOUT_S, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete and self.conn.their_state is h11.DONE:
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


def abort_connection(scope: MutableMapping[str, Any]) -> bool:
    """Drop the request's TCP connection at once (no status line, no body). False if not served by uvicorn."""
    transport = _TRANSPORTS.pop((_addr(scope.get("server")), _addr(scope.get("client"))), None)
    if transport is None:
        return False
    transport.abort()
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


class _AcceptFailuresOnce(logging.Filter):
    """asyncio logs 'socket.accept() out of system resource' with a traceback for every accept it tries in a
    burst (up to the listen backlog, again every second): thousands of tracebacks when the process runs out of
    file descriptors. Keep the first of each minute, without its traceback, and count the rest."""

    def __init__(self) -> None:
        super().__init__()
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Exception in callback BaseSelectorEventLoop._start_serving"):
            return False  # asyncio's accept retry firing after the server closed its socket on the way out
        if not message.startswith("socket.accept() out of system resource"):
            return True
        STATS["accept_failures"] = STATS.get("accept_failures", 0) + 1
        if record.created - self._last < 60.0:
            return False
        self._last = record.created
        record.msg, record.args = (
            "accept failed: out of file descriptors (counted; repeats are not logged for a minute)",
            (),
        )
        record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("asyncio").addFilter(_AcceptFailuresOnce())
