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
from collections.abc import Callable

import uvicorn

log = logging.getLogger("teg_emulator")


class GatedServer(uvicorn.Server):
    """uvicorn.Server + a per-connection TLS delay from `stall()` (seconds; 0 = none)."""

    def __init__(self, config: uvicorn.Config, stall: Callable[[], float]) -> None:
        super().__init__(config)
        self._stall = stall
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: set[socket.socket] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets or self.config.ssl is None:
            await super().startup(sockets=sockets)
            return
        await super().startup(sockets=[])  # lifespan, state; we do the accepting
        for sock in sockets:
            sock.setblocking(False)
            self._spawn(self._accept_loop(sock))

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _protocol(self) -> asyncio.Protocol:
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )

    async def _accept_loop(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, _ = await loop.sock_accept(listener)
            except OSError as exc:  # e.g. EMFILE: log and keep serving
                log.warning("accept failed: %s", exc)
                await asyncio.sleep(0.05)
                continue
            self._spawn(self._hand_over(conn, self._stall()))

    async def _hand_over(self, conn: socket.socket, delay: float) -> None:
        if delay > 0:
            self._held.add(conn)
            try:
                await asyncio.sleep(delay)
            finally:
                self._held.discard(conn)
        try:
            await asyncio.get_running_loop().connect_accepted_socket(self._protocol, conn, ssl=self.config.ssl)
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
        await super().shutdown(sockets=sockets)
