"""Running an app under uvicorn on a socket we bind ourselves (so port 0 works and is reported)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp


@dataclass(frozen=True)
class TLSFiles:
    certfile: str
    keyfile: str


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto says TCP, and without it Nagle adds ~40 ms to every answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: ASGIApp, *, tls: TLSFiles | None = None, log_level: str = "warning") -> uvicorn.Config:
    """The one uvicorn configuration used by the CLI, the pytest plugin and the benchmark."""
    kwargs = {}
    if tls is not None:
        kwargs = {"ssl_certfile": tls.certfile, "ssl_keyfile": tls.keyfile}
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=log_level in ("info", "debug", "trace"),
        lifespan="off",
        server_header=False,
        date_header=True,
        **kwargs,
    )


def run(app: ASGIApp, sock: socket.socket, *, tls: TLSFiles | None = None, log_level: str = "warning") -> None:
    server = uvicorn.Server(uvicorn_config(app, tls=tls, log_level=log_level))
    server.run(sockets=[sock])
