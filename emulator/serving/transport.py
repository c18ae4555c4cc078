"""Reaching below ASGI for the one fault ASGI cannot express: closing a connection without an answer.

uvicorn's h11 protocol, subclassed to remember each connection's transport by
its (server, client) addresses — the same pair ASGI puts in the scope — so a
middleware can abort the TCP connection a request arrived on.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

_Key = tuple[Any, Any]
_TRANSPORTS: dict[_Key, asyncio.Transport] = {}


class TrackedH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn hands its protocols a Transport, never a bare BaseTransport
        super().connection_made(transport)
        _TRANSPORTS[(_addr(self.server), _addr(self.client))] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        _TRANSPORTS.pop((_addr(self.server), _addr(self.client)), None)
        super().connection_lost(exc)


def _addr(value: Any) -> Any:
    return tuple(value) if value else None


def abort_connection(scope: MutableMapping[str, Any]) -> bool:
    """Drop the request's TCP connection at once (no status line, no body). False if not served by uvicorn."""
    transport = _TRANSPORTS.pop((_addr(scope.get("server")), _addr(scope.get("client"))), None)
    if transport is None:
        return False
    transport.abort()
    return True
