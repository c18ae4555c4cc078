"""A uvicorn Server whose HTTPS listeners count handshakes, refuse past the cap, and can stall on purpose.

The handshake happens below ASGI, inside the loop's SSL transport, so no middleware can delay it.
Instead we accept TCP connections ourselves and hand each one to the protocol with
`loop.connect_accepted_socket(..., ssl=...)` -- immediately, or after the stall a fault rule
asks for (the `tls_stall` fault). During the stall the client is connected and has sent its
ClientHello, but no byte comes back: exactly what a gateway with a wedged TLS stack looks like.

Accepting ourselves also means counting ourselves. A connection still in its handshake (or held by
a stall) holds a file descriptor like a served one, so it counts toward ``max_connections()``; past
it, a connection is refused as over HTTP, with the 503 (sent once its handshake is done, the only way
a TLS client can read it). Refusals get a short handshake and a few slots, the oldest given up for
the newest, so idle sockets past the cap cannot use up the descriptors and a real client arriving
behind hundreds of them still hears the 503 at once.

A :class:`Door` makes the transport a property of each connection rather than of the server: a firmware
update turns a plain-HTTP port into an HTTPS one (1.15.0 -> 21.44.1), so with a door the server accepts
every connection itself, HTTP ones too, and asks the door at each accept which TLS context (None: plain
HTTP) to serve it with, and what to note on it (:attr:`transport.Protections.admitted`); at each tick the
door may close connections (a rebooting gateway's).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import uvicorn

from emulator.serving import transport
from emulator.serving.logs import quiet_uvicorn_logs
from emulator.serving.transport import accept_failed, max_connections, refuse

REFUSAL_SLOTS = 16  # connections past the cap in their refusal handshake at once (the oldest yields)
REFUSAL_HANDSHAKE_S = 2.0  # how long a refused client gets to send its ClientHello
_RETRY_ACCEPT_S = 0.05  # after a failed accept (out of file descriptors): the backlog waits meanwhile

quiet_uvicorn_logs()


class _Busy(asyncio.Protocol):
    """The whole of a refused TLS connection: the 503, then close."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        refuse(transport)


class Door(Protocol):
    """Decides, at each accepted connection, how it is served (emulator.serving.listener.Listener)."""

    def server_context(self) -> ssl.SSLContext | None:
        """The TLS context to serve a new connection with; None: plain HTTP."""
        ...

    def note(self) -> object:
        """What to remember on the new connection (read back by ``transport.admitted(scope)``)."""
        ...

    def sweep(self, connections: set[Any]) -> None:
        """Every tick (0.1 s): close what must not stay open (a reboot's old connections)."""
        ...


class GatedServer(uvicorn.Server):
    """uvicorn.Server + the TLS door: a per-connection delay from `stall(port)` (seconds; 0 = none), and the cap.

    ``port`` is the local port the connection arrived on, so a fleet can stall one member's
    handshakes and not the others'.
    """

    def __init__(self, config: uvicorn.Config, stall: Callable[[int], float], door: Door | None = None) -> None:
        super().__init__(config)
        self._stall = stall
        self._door = door
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: set[socket.socket] = set()  # stalled, not yet handed to TLS
        self._handshaking = 0  # admitted connections not yet served (stalled, or in their handshake)
        self._refusing: dict[asyncio.Task[None], None] = {}  # oldest first
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    @property
    def running_loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop serving (uvloop's or asyncio's), once started."""
        return self._loop

    def exit_now(self) -> None:
        """Stop at once, from any thread: drop open connections, skip uvicorn's 0.1 s ticks.

        A test fixture stops a server after every test; waiting out uvicorn's polling tick and
        its grace period would cost ~200 ms a test, so ``force_exit`` also means "no grace".
        """
        self.should_exit = self.force_exit = True
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def main_loop(self) -> None:
        """uvicorn's loop, but woken by ``exit_now`` instead of waiting for its next tick."""
        self._wake = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            if self._door is not None:
                self._door.sweep(self.server_state.connections)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        if not sockets or (self.config.ssl is None and self._door is None):
            await super().startup(sockets=sockets)
            return
        await super().startup(sockets=[])  # lifespan, state; we do the accepting
        for sock in sockets:
            sock.setblocking(False)
            self._spawn(self._accept_loop(sock))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _protocol(self, note: object = None) -> asyncio.Protocol:
        protocol = self.config.http_protocol_class(  # type: ignore[call-arg]  # typed as asyncio.Protocol; uvicorn's HTTP protocols take these keywords
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        if note is not None:
            protocol.admitted = note  # type: ignore[attr-defined]  # transport.Protections, mixed into every stack
        return protocol

    def _context(self) -> ssl.SSLContext | None:
        """The TLS context for a connection accepted now (None: plain HTTP)."""
        return self._door.server_context() if self._door is not None else self.config.ssl

    async def _accept_loop(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        port = listener.getsockname()[1]
        while True:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError as exc:  # e.g. EMFILE: count, log one line a minute, keep serving
                accept_failed(exc)
                await asyncio.sleep(_RETRY_ACCEPT_S)
                continue
            context = self._context()
            if len(self.server_state.connections) + self._handshaking >= max_connections():
                self._refuse(conn, context)
                await asyncio.sleep(0)  # an accept that finds a connection waiting does not yield: let evictions close
            else:
                self._handshaking += 1
                note = self._door.note() if self._door is not None else None
                delay = self._stall(port) if context is not None else 0.0
                task = self._spawn_for(conn, self._hand_over(conn, delay, context, note))
                task.add_done_callback(self._handed_over)

    def _spawn_for(self, conn: socket.socket, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A task that serves ``conn``; cancelled (a stop, an evicted refusal), it closes the socket.

        Also when cancelled before it ever ran, where no ``finally`` of its own would. Closing is safe
        even once a transport holds the socket: asyncio's has stopped watching it when cancelled, and
        uvloop's holds a reference that keeps the descriptor open until it lets go itself.
        """
        task = self._spawn(coro)
        task.add_done_callback(lambda done: conn.close() if done.cancelled() else None)
        return task

    def _handed_over(self, task: asyncio.Task[None]) -> None:
        self._handshaking -= 1

    async def _hand_over(self, conn: socket.socket, delay: float, context: ssl.SSLContext | None, note: object) -> None:
        if delay > 0:
            self._held.add(conn)
            try:
                await asyncio.sleep(delay)
            finally:
                self._held.discard(conn)
        await self._wrap(lambda: self._protocol(note), conn, transport.REQUEST_TIMEOUT_S, context)

    def _refuse(self, conn: socket.socket, context: ssl.SSLContext | None) -> None:
        if len(self._refusing) >= REFUSAL_SLOTS:
            oldest = next(iter(self._refusing))
            del self._refusing[oldest]
            oldest.cancel()
        task = self._spawn_for(conn, self._wrap(_Busy, conn, REFUSAL_HANDSHAKE_S, context))
        self._refusing[task] = None
        task.add_done_callback(lambda done: self._refusing.pop(done, None))

    async def _wrap(
        self,
        protocol: Callable[[], asyncio.Protocol],
        conn: socket.socket,
        timeout_s: float,
        context: ssl.SSLContext | None,
    ) -> None:
        """The TLS handshake (if ``context``), then ``protocol`` serves; a client that gives up or stalls just goes."""
        loop = asyncio.get_running_loop()
        try:
            if context is None:  # plain HTTP (a door's): no handshake to bound
                await loop.connect_accepted_socket(protocol, conn)
            else:
                await loop.connect_accepted_socket(protocol, conn, ssl=context, ssl_handshake_timeout=timeout_s)
        except OSError:  # gave up in the handshake, never said hello (ConnectionError, TimeoutError, SSLError)
            conn.close()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for task in list(self._tasks):
            task.cancel()
        for conn in list(self._held):
            conn.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if not self.force_exit:
            await super().shutdown(sockets=sockets)
            return
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            # dropped, not closed: a TLS close waits for the peer's close_notify, a round trip the stopping loop
            # never makes, so the socket of a connection the client kept open was left to the garbage collector
            connection.transport.abort()
        for task in list(self.server_state.tasks):
            task.cancel()
        await asyncio.sleep(0)  # the aborted transports close their sockets on the loop's next turn
