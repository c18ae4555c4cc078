"""Running an app under uvicorn on a socket we bind ourselves (so port 0 works and is reported)."""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING

import uvicorn
from starlette.types import ASGIApp

from emulator.http.context import find_context
from emulator.serving.gate import Door, GatedServer
from emulator.serving.stack import Stack, choose
from emulator.serving.tls import TLSIdentity

if TYPE_CHECKING:
    from emulator.serving.listener import Listener

SHUTDOWN_GRACE_S = 0.5  # SIGTERM/SIGINT: answers in flight get this long, then the process stops


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


def uvicorn_config(
    app: ASGIApp, *, tls: TLSIdentity | None = None, log_level: str = "warning", stack: Stack | None = None
) -> uvicorn.Config:
    """The one uvicorn configuration used by the CLI, the pytest plugin and the benchmark."""
    stack = stack or choose()
    config = uvicorn.Config(
        app,
        http=stack.protocol_class(),
        loop=stack.loop,
        log_level=log_level,
        access_log=log_level in ("info", "debug", "trace"),
        lifespan="off",
        # no gateway route is a WebSocket; "auto" would import the websockets package at every start (~9 ms,
        # issue 13's start-up budget) only to accept upgrades the real gateway does not offer
        ws="none",
        # a gateway answers the peer that connected: it never takes X-Forwarded-For/-Proto from a loopback
        # client as uvicorn does by default (which also hid the connection from a drop fault)
        proxy_headers=False,
        server_header=False,
        date_header=True,
        # then cut requests held by latency/slow-body faults; uvicorn annotates an int but hands the value
        # to asyncio.wait_for, which takes any float (half a second is the point)
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,  # type: ignore[arg-type]
        # the identity's context, loaded from memory (uvicorn's own would load the key from a file)
        ssl_context_factory=(lambda config, default: tls.server_context) if tls is not None else None,
    )
    config.load()  # the protocol class and the TLS context now, in the caller's thread: errors surface here
    return config


def bind_many(host: str, first_port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on consecutive ports from ``first_port`` (or free ports for 0)."""
    sockets: list[socket.socket] = []
    try:
        for offset in range(count):
            sockets.append(bind(host, first_port + offset if first_port else 0))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def run(
    app: ASGIApp,
    sock: socket.socket,
    *,
    tls: TLSIdentity | None = None,
    log_level: str = "warning",
    stack: Stack | None = None,
    door: Door | None = None,
) -> None:
    run_many(app, [sock], tls=tls, log_level=log_level, stack=stack, door=door)


def make_server(
    app: ASGIApp,
    *,
    tls: TLSIdentity | None = None,
    log_level: str = "warning",
    stack: Stack | None = None,
    door: Door | None = None,
) -> GatedServer:
    """A uvicorn Server for an emulator app; over HTTPS it honours the app's tls_stall fault rules.

    A fleet answers ``stall_s_for(port)`` itself; a single app's fault engine applies to every port.
    ``door`` (a gateway's :class:`emulator.serving.listener.Listener`) decides each connection's transport
    instead of ``tls``: the port follows its firmware from HTTP to HTTPS and back.
    """
    stall = getattr(app, "stall_s_for", None)  # a FleetApp (which imports this module)
    if stall is None:
        ctx = find_context(app)
        stall = (lambda port: ctx.faults.stall_s()) if ctx is not None else (lambda port: 0.0)
    config = uvicorn_config(app, tls=None if door is not None else tls, log_level=log_level, stack=stack)
    return GatedServer(config, stall, door)


def run_many(
    app: ASGIApp,
    sockets: list[socket.socket],
    *,
    tls: TLSIdentity | None = None,
    log_level: str = "warning",
    stack: Stack | None = None,
    door: Door | None = None,
) -> None:
    make_server(app, tls=tls, log_level=log_level, stack=stack, door=door).run(sockets=sockets)


class ServerThread:
    """An app served by uvicorn in a background thread: fast to start, easy to stop.

    Used by the pytest plugin and the project's tests; the server owns its own
    event loop, so the caller's thread stays free to act as a client.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TLSIdentity | None = None,
        stack: Stack | None = None,
        listener: Listener | None = None,
    ) -> None:
        self.tls = tls
        self.listener = listener  # when given, the transport follows the gateway's firmware (and tls is ignored)
        self.server = make_server(app, tls=tls, log_level="error", stack=stack, door=listener)
        self.sock = bind(host, port)
        # uvicorn installs no signal handlers off the main thread (Server.capture_signals), so none to undo
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def scheme(self) -> str:
        """What the port speaks now (a firmware update can change it)."""
        if self.listener is not None:
            return self.listener.scheme
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        scheme = self.scheme
        host = str(self.sock.getsockname()[0])
        host = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
        return f"{scheme}://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator's server thread did not start")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        self.server.exit_now()  # do not wait for clients' idle keep-alive connections
        self._thread.join(timeout=10)
        self.sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
