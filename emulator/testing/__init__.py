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
from dataclasses import replace
from functools import lru_cache
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from emulator.device.factory import build_gateway
from emulator.device.gateway import Gateway
from emulator.http.context import AppContext, app_context
from emulator.scenario import Scenario, ScenarioError, resolve
from emulator.scenario.events import install
from emulator.serving.app import create_app
from emulator.serving.options import DEFAULT_FIRMWARE, RunOptions
from emulator.serving.server import ServerThread
from emulator.serving.tls import SelfSigned, self_signed
from emulator.testing.control_client import ControlClient

P = ParamSpec("P")
R = TypeVar("R")


@lru_cache(maxsize=4)
def _certificate(key_type: str = "ec", min_version: str | None = None) -> SelfSigned:
    """One self-signed certificate per kind per process: making one takes longer than a server start."""
    return self_signed(key_type=key_type, min_version=min_version)


class EmulatorFailed(AssertionError):
    """The emulator itself failed while a test used it: a bug in the double, not in the client."""


class Emulator(ControlClient):
    """A running (or ready to run) emulated gateway: where it is, how to drive it, what it was asked."""

    def __init__(self, options: RunOptions, *, default_firmware: str = DEFAULT_FIRMWARE) -> None:
        self.options = options
        self.default_firmware = default_firmware
        self._server: ServerThread | None = None
        self._gateway: Gateway | None = None
        self._context: AppContext | None = None
        self._ssl: ssl.SSLContext | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> Emulator:
        """Build the gateway and serve it; ValueError with a one-line reason on bad options."""
        if self._server is not None:
            raise RuntimeError("this emulator is already running")
        options, scenario = _with_scenario(self.options)
        gateway = build_gateway(options.emulator_options(self.default_firmware))
        if scenario is not None:
            install(gateway, scenario)
        use_tls = gateway.profile.tls_default if options.tls is None else bool(options.tls)
        profile = gateway.profile
        certificate = _certificate(profile.tls_key_type, profile.tls_min_version) if use_tls else None
        tls = certificate.identity if certificate else None
        app = create_app(gateway, tls=tls is not None, fault_seed=options.fault_seed, scenario=scenario)
        self._server = ServerThread(app, tls=tls).start()
        self._gateway, self._context = gateway, app_context(app)
        self._ssl = certificate.client_context() if certificate else None
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
            with Emulator(self.options, default_firmware=self.default_firmware) as gw:
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
        return self.gateway.profile.version


def running(*, default_firmware: str = DEFAULT_FIRMWARE, **options: Any) -> Emulator:
    """An emulated gateway with :class:`emulator.serving.options.RunOptions` ``options`` (not started yet).

    A bare ``running()`` serves firmware 24.4.0 over HTTPS: the protocol today's clients speak.
    ``running(firmware="1.15.0")`` gives the old plain-HTTP gateway.
    """
    return Emulator(RunOptions.from_mapping(options), default_firmware=default_firmware)


def _with_scenario(options: RunOptions) -> tuple[RunOptions, Scenario | None]:
    """The scenario the options name; its firmware becomes the gateway's (naming another is a mistake)."""
    if options.scenario is None:
        return options, None
    try:
        scenario = resolve(options.scenario)
    except ScenarioError as exc:
        raise ValueError(str(exc)) from None
    if scenario.firmware:
        if options.firmware not in (None, scenario.firmware):
            raise ValueError(f"scenario {scenario.name} needs firmware {scenario.firmware}, not {options.firmware}")
        options = replace(options, firmware=scenario.firmware)
    return options, scenario
