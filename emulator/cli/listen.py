"""Serving an app from `serve` flags: TLS files, the listening socket, the banner, then uvicorn.

Shared by the live gateway (:mod:`emulator.cli.serve`) and a replay
(:mod:`emulator.cli.replay`), which is why it is a module of its own: serve
chooses replay, and replay must not need serve.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import socket
import sys
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette

from emulator.cli import startup
from emulator.contract import FirmwareFacts
from emulator.http.guard import ControlPolicy, is_loopback
from emulator.serving.gate import Door
from emulator.serving.listener import Certificate, tls_for
from emulator.serving.server import bind, run
from emulator.serving.stack import Stack, choose
from emulator.serving.tls import TLSIdentity


def control_policy(args: argparse.Namespace) -> ControlPolicy:
    """Off loopback the control API needs a token: the one given, or a fresh one the banner prints."""
    token = args.control_token
    if token is not None and not 16 <= len(token) <= 256 or token is not None and not token.isascii():
        raise ValueError("--control-token must be 16 to 256 ASCII characters")
    if token is None and not is_loopback(args.host):
        token = secrets.token_urlsafe(24)
    return ControlPolicy.of(token, args.allowed_host)


def control_banner(app_or_policy: ControlPolicy, base: str) -> list[str]:
    """The banner's lines about the control API's token (none when it needs none)."""
    token = app_or_policy.token
    if token is None:
        return []
    return [
        f"  control token:  {token}  (send it as X-Emulator-Token; the control API refuses requests without it)",
        f"  panel with it:  {base}/_emulator/#token={token}",
    ]


def certificate(args: argparse.Namespace) -> Certificate | None:
    """--cert and --key, which go together."""
    if (args.cert is None) != (args.key is None):
        raise ValueError("--cert and --key go together")
    return None if args.cert is None else Certificate(args.cert, args.key)


def tls_identity(args: argparse.Namespace, facts: FirmwareFacts) -> TLSIdentity | None:
    """The certificate to serve with (the firmware's key type and minimum TLS version), or None for plain HTTP."""
    return tls_for(facts, args.tls, certificate(args))[0]


def serving_stack(args: argparse.Namespace) -> Stack:
    """--http and --loop (ValueError when an explicit choice cannot be imported)."""
    return choose(args.http, args.event_loop)


def stack_banner(stack: Stack) -> str:
    return f"  HTTP server:    uvicorn {_uvicorn_version()} on {stack.describe()}"


def _uvicorn_version() -> str:
    return str(uvicorn.__version__)


def configure_logging(level: str) -> None:
    """The emulator's own lines (grid, sitemaster, logins, events, faults; debug: each request) on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s teg-emulator: %(message)s"))
    logger = logging.getLogger("teg_emulator")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


Built = tuple[Starlette, TLSIdentity | None, Door | None]
"""An app, the certificate it starts with (None: plain HTTP), and the door that decides each connection's
transport (a gateway's listener, which follows a firmware update from HTTP to HTTPS; None: ``tls`` for good)."""


def serve_app(
    args: argparse.Namespace,
    build: Callable[[], Built],
    banner: Callable[[Starlette, str], list[str]],
) -> int:
    """Build (ValueError: one line, exit 2), listen (a taken port: one line, exit 2), say where, serve."""
    try:
        stack = serving_stack(args)
        app, tls, door = build()
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    sock = listen(args)
    if sock is None:
        return 2
    for line in [*banner(app, base_url(sock, tls is not None)), stack_banner(stack)]:
        print(line, flush=True)
    configure_logging(args.log_level)
    startup.ready(serving=True)
    run(app, sock, tls=tls, log_level=args.log_level, stack=stack, door=door)
    return 0


def listen(args: argparse.Namespace) -> socket.socket | None:
    """The listening socket, or None after one line saying why not (port in use, bad address)."""
    try:
        return bind(args.host, args.port)
    except OSError as exc:
        print(f"teg-emulator: error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return None


def base_url(sock: socket.socket, tls: bool) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"
