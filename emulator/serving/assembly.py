"""One assembly: :class:`RunOptions` in, a gateway ready to serve out (its app, its TLS, its scenario).

``serve``, the pytest fixture and ``running()``, each member of a fleet, the offline scenario runner and
the replay example all call :func:`assemble`, so the rules are written once:

* the firmware is the options', else a scenario's, else ``DEFAULT_FIRMWARE``; a scenario that names a
  firmware wins over the default, and choosing another one is a mistake (:meth:`Scenario.firmware_over`);
* HTTPS is the firmware's transport unless ``tls`` says otherwise, with a certificate of the firmware's key
  type and minimum TLS version (a self-signed one, made once per process and kind, unless one is given);
* the gateway starts as the scenario's site and start, its events armed.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from starlette.applications import Starlette

from emulator.device.clock import Monotonic
from emulator.device.factory import build_gateway
from emulator.device.gateway import Gateway
from emulator.http.guard import ControlPolicy
from emulator.serving.app import create_app
from emulator.serving.listener import Certificate, Listener
from emulator.serving.options import RunOptions
from emulator.serving.tls import SelfSigned, TLSIdentity

if TYPE_CHECKING:
    from emulator.scenario.spec import Scenario


@dataclass(frozen=True)
class Assembly:
    """A gateway ready to serve: what :func:`assemble` made of the options."""

    options: RunOptions  # as served: the firmware filled in
    gateway: Gateway
    app: Starlette
    scenario: Scenario | None
    tls: TLSIdentity | None  # at the start; None: plain HTTP
    self_signed: SelfSigned | None  # the self-signed certificate served at the start, if one is
    listener: Listener  # the transport as the firmware changes it (a firmware update): what a server serves by

    def client_context(self) -> ssl.SSLContext | None:
        """A client context that trusts the self-signed certificate served now (None: none is)."""
        return self.listener.client_context()


def with_scenario(options: RunOptions, scenario: Scenario | None = None) -> tuple[RunOptions, Scenario | None]:
    """The scenario the options name (or the one given, already loaded), and the options with its firmware.

    ValueError with a one-line reason: a scenario that does not load, or a firmware it does not run on.
    """
    if scenario is None and options.scenario is not None:
        from emulator.scenario import ScenarioError, resolve  # reading files: only when a scenario is named

        try:
            scenario = resolve(options.scenario)
        except ScenarioError as exc:
            raise ValueError(str(exc)) from None
    if scenario is None:
        return options, None
    return replace(options, firmware=scenario.firmware_over(options.firmware)), scenario


def assemble(
    options: RunOptions,
    *,
    scenario: Scenario | None = None,
    certificate: Certificate | None = None,
    control: ControlPolicy | None = None,
    journal_size: int = 1000,
    stallable: bool | str | None = None,
    monotonic: Monotonic | None = None,
) -> Assembly:
    """Build the gateway, its app and its TLS from ``options``; ValueError with a one-line reason on bad ones.

    ``scenario``: an already loaded one (the runner's) instead of ``options.scenario``'s name.
    ``stallable``: whether this app's own listener can stall a TLS handshake (default: whenever its port
    serves HTTPS, asked at each tls_stall rule, since a firmware update can turn the port from HTTP into HTTPS);
    a string says why not (a fleet served by Host name). ``monotonic``: the clock's real time
    source (tests and the runner).
    """
    options, scenario = with_scenario(options, scenario)
    gateway = build_gateway(options.gateway_options(), monotonic=monotonic)
    if scenario is not None:
        from emulator.scenario.events import install

        install(gateway, scenario)
    options = replace(options, firmware=gateway.facts.version)
    listener = Listener(gateway, options.tls, certificate)
    tls, made = listener.served()
    app = create_app(
        gateway,
        journal_size=journal_size,
        fault_seed=options.fault_seed,
        tls=stallable if stallable is not None and tls is not None else lambda: listener.identity() is not None,
        scenario=scenario,
        control=control,
    )
    return Assembly(options, gateway, app, scenario, tls, made, listener)
