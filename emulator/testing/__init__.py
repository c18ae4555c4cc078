"""One way to run an emulated gateway, for any test framework or none.

::

    with emulator.running(firmware="24.4.0", soe=15) as gw:      # a context manager
        pypowerwall.Powerwall(gw.host, password=gw.password)

    @emulator.running(grid="down")                                  # a decorator: the handle
    def check_outage(gw): ...                                       # is the last argument

    gw = emulator.running().start(); ...; gw.stop()                 # start/stop

The pytest plugin is a few lines around this. The server is uvicorn in a
background thread of this process, so starting one costs milliseconds. When
the emulator itself fails (an unexpected exception, a 500 no fault rule
asked for), leaving the ``with`` block -- or :meth:`Emulator.check` -- raises,
so a test cannot pass over a bug in its double.
"""

from __future__ import annotations

import functools
import inspect
import ssl
from collections.abc import Callable
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from emulator.device.gateway import Gateway
from emulator.http.context import AppContext, app_context
from emulator.serving.assembly import assemble
from emulator.serving.listener import Listener
from emulator.serving.options import RunOptions
from emulator.serving.server import ServerThread
from emulator.testing.control_client import ControlClient

P = ParamSpec("P")
R = TypeVar("R")


class EmulatorFailed(AssertionError):
    """The emulator itself failed while a test used it: a bug in the double, not in the client."""


class Emulator(ControlClient):
    """A running (or ready to run) emulated gateway: where it is, how to drive it, what it was asked."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self._server: ServerThread | None = None
        self._gateway: Gateway | None = None
        self._context: AppContext | None = None
        self._listener: Listener | None = None
        self._trust: tuple[object, ssl.SSLContext | None] = (None, None)  # (identity, a context trusting it)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> Emulator:
        """Build the gateway and serve it; ValueError with a one-line reason on bad options."""
        if self._server is not None:
            raise RuntimeError("this emulator is already running")
        assembly = assemble(self.options)
        self._server = ServerThread(assembly.app, tls=assembly.tls, listener=assembly.listener).start()
        self._gateway, self._context = assembly.gateway, app_context(assembly.app)
        self._listener = assembly.listener
        return self

    def stop(self) -> None:
        """Stop serving (idempotent). Does not judge; :meth:`check` does."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def check(self) -> None:
        """Raise :class:`EmulatorFailed` if the emulator raised or answered a 500 no fault rule injected."""
        if self._context is None:
            return
        problems = list(self._context.failures)
        problems += [
            f"{e.method} {e.path} answered 500"
            for e in self._context.journal.query(status=500)
            if e.fault is None and not any(e.path in p for p in self._context.failures)
        ]
        if problems:
            raise EmulatorFailed("the emulator itself failed (see its log):\n  " + "\n  ".join(problems))

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
        if kind is None:
            self.check()

    def __call__(self, func: Callable[..., R]) -> Callable[..., R]:
        """Use as a decorator: a fresh emulator for each call, passed as the last positional argument."""
        signature = inspect.signature(func)
        params = list(signature.parameters.values())

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            with Emulator(self.options) as gw:
                return func(*args, gw, **kwargs)

        # test runners read the signature: hide the parameter the decorator fills
        wrapper.__signature__ = signature.replace(parameters=params[:-1])  # type: ignore[attr-defined]  # documented hook
        return wrapper

    # -- where it is ---------------------------------------------------------------
    @property
    def server(self) -> ServerThread:
        if self._server is None:
            raise RuntimeError("the emulator is not running: use it as `with running(...) as gw:` or call start()")
        return self._server

    @property
    def gateway(self) -> Gateway:
        """The gateway object itself (in-process tests may read it; prefer the control API)."""
        if self._gateway is None:
            raise RuntimeError("the emulator has not been started")
        return self._gateway

    @property
    def url(self) -> str:  # type: ignore[override]  # a read-only property over the mixin's attribute
        return self.server.url

    @property
    def scheme(self) -> str:
        """``http`` or ``https``: what the gateway's port speaks now (a firmware update can change it)."""
        return self.server.scheme

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        """A client context that trusts the certificate served now (None: plain HTTP, or the user's own)."""
        if self._listener is None:
            return None
        identity, made = self._listener.served()
        if self._trust[0] is not identity:
            self._trust = (identity, made.client_context() if made is not None else None)
        return self._trust[1]

    def _tls(self) -> ssl.SSLContext | None:
        return self.ssl_context

    @property
    def host(self) -> str:
        """``host:port``, as pypowerwall and tesla-powerwall take it."""
        return f"127.0.0.1:{self.server.port}"

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def password(self) -> str:
        return self.gateway.password

    @property
    def gw_password(self) -> str:
        """The gateway password (QR sticker): HTTP Basic ``Tesla_Energy_Device`` on the TEDAPI."""
        return self.gateway.gw_password

    @property
    def firmware(self) -> str:
        return self.gateway.facts.version


def running(**options: Any) -> Emulator:
    """An emulated gateway with :class:`emulator.serving.options.RunOptions` ``options`` (not started yet).

    A bare ``running()`` serves firmware 24.4.0 over HTTPS: the protocol today's clients speak.
    ``running(firmware="1.15.0")`` gives the old plain-HTTP gateway.
    """
    return Emulator(RunOptions.from_mapping(options))
