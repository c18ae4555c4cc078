"""A uvicorn Server whose HTTPS listeners can stall the TLS handshake on purpose (the `tls_stall` fault).

The handshake happens below ASGI, inside asyncio's SSL transport, so no middleware can delay it.
Instead we accept TCP connections ourselves and hand each one to uvicorn's protocol with
`loop.connect_accepted_socket(..., ssl=...)` — immediately, or after the stall a fault rule
asks for. During the stall the client is connected and has sent its ClientHello, but no byte
comes back: exactly what a gateway with a wedged TLS stack looks like.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn

from emulator.serving.transport import REQUEST_TIMEOUT_S

log = logging.getLogger("teg_emulator")


class _CancelledIsNotAnError(logging.Filter):
    """A request cut off by a forced stop (e.g. mid latency fault) is not an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


logging.getLogger("uvicorn.error").addFilter(_CancelledIsNotAnError())


class GatedServer(uvicorn.Server):
    """uvicorn.Server + a per-connection TLS delay from `stall(port)` (seconds; 0 = none).

    ``port`` is the local port the connection arrived on, so a fleet can stall one member's
    handshakes and not the others'.
    """

    def __init__(self, config: uvicorn.Config, stall: Callable[[int], float]) -> None:
        super().__init__(config)
        self._stall = stall
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: set[socket.socket] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

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
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets or self.config.ssl is None:
            await super().startup(sockets=sockets)
            return
        await super().startup(sockets=[])  # lifespan, state; we do the accepting
        for sock in sockets:
            sock.setblocking(False)
            self._spawn(self._accept_loop(sock))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _protocol(self) -> asyncio.Protocol:
        return self.config.http_protocol_class(  # type: ignore[call-arg]  # typed as asyncio.Protocol; uvicorn's HTTP protocols take these keywords
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )

    async def _accept_loop(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        port = listener.getsockname()[1]
        while True:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError as exc:  # e.g. EMFILE: log and keep serving
                log.warning("accept failed: %s", exc)
                await asyncio.sleep(0.05)
                continue
            self._spawn(self._hand_over(conn, self._stall(port)))

    async def _hand_over(self, conn: socket.socket, delay: float) -> None:
        if delay > 0:
            self._held.add(conn)
            try:
                await asyncio.sleep(delay)
            finally:
                self._held.discard(conn)
        try:
            await asyncio.get_running_loop().connect_accepted_socket(
                self._protocol, conn, ssl=self.config.ssl, ssl_handshake_timeout=REQUEST_TIMEOUT_S
            )
        except (OSError, ConnectionError) as exc:  # the client gave up during the stall or handshake
            log.debug("TLS connection ended before it was served: %s", exc)
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
