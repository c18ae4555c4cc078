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
from functools import lru_cache
from typing import TYPE_CHECKING

from starlette.applications import Starlette

from emulator.contract import FirmwareFacts
from emulator.device.clock import Monotonic
from emulator.device.factory import build_gateway
from emulator.device.gateway import Gateway
from emulator.http.guard import ControlPolicy
from emulator.serving.app import create_app
from emulator.serving.options import RunOptions
from emulator.serving.tls import SelfSigned, TLSIdentity, self_signed

if TYPE_CHECKING:
    from emulator.scenario.spec import Scenario


@dataclass(frozen=True)
class Certificate:
    """A certificate the user brings (``serve --cert/--key``) instead of a self-signed one."""

    cert: str
    key: str


@dataclass(frozen=True)
class Assembly:
    """A gateway ready to serve: what :func:`assemble` made of the options."""

    options: RunOptions  # as served: the firmware filled in
    gateway: Gateway
    app: Starlette
    scenario: Scenario | None
    tls: TLSIdentity | None  # None: plain HTTP
    self_signed: SelfSigned | None  # the self-signed certificate served, if one is (a client can trust it)

    def client_context(self) -> ssl.SSLContext | None:
        """A client context that trusts the self-signed certificate served (None: none is)."""
        return self.self_signed.client_context() if self.self_signed is not None else None


@lru_cache(maxsize=4)
def _self_signed(key_type: str, min_version: str | None) -> SelfSigned:
    """One self-signed certificate per kind per process: making one takes longer than a server start."""
    return self_signed(key_type=key_type, min_version=min_version)


def tls_for(
    facts: FirmwareFacts, tls: bool | None, certificate: Certificate | None
) -> tuple[TLSIdentity | None, SelfSigned | None]:
    """The certificate to serve with and the CA to trust it by: the one given, else a self-signed one of the
    firmware's key type and minimum TLS version when HTTPS is served (``tls`` None: the firmware's transport)."""
    if certificate is not None:
        if tls is False:
            raise ValueError("--cert/--key make no sense with --no-tls")
        identity = TLSIdentity.from_files(certificate.cert, certificate.key, facts.tls_min_version)
        identity.server_context  # noqa: B018  # loads the pair: ValueError now if it is unusable
        return identity, None
    if not (facts.uses_tls if tls is None else tls):
        return None, None
    made = _self_signed(facts.tls_key_type, facts.tls_min_version)
    return made.identity, made


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
    ``stallable``: whether this app's own listener can stall a TLS handshake (default: it serves HTTPS on
    its own); a string says why not (a fleet served by Host name). ``monotonic``: the clock's real time
    source (tests and the runner).
    """
    options, scenario = with_scenario(options, scenario)
    gateway = build_gateway(options.gateway_options(), monotonic=monotonic)
    if scenario is not None:
        from emulator.scenario.events import install

        install(gateway, scenario)
    options = replace(options, firmware=gateway.facts.version)
    tls, made = tls_for(gateway.facts, options.tls, certificate)
    app = create_app(
        gateway,
        journal_size=journal_size,
        fault_seed=options.fault_seed,
        tls=stallable if stallable is not None and tls is not None else tls is not None,
        scenario=scenario,
        control=control,
    )
    return Assembly(options, gateway, app, scenario, tls, made)
