"""A gateway's port: the transport its firmware speaks right now, which a firmware update can change.

Firmware 1.15.0 answers plain HTTP; 20.49 and later answer HTTPS on the same port. A served gateway that
updates from one to the other must switch its port from HTTP to TLS while clients are connected, so the
transport cannot be fixed when the server starts. A :class:`Listener` is the server's door
(:class:`emulator.serving.gate.Door`): at each new connection it asks the gateway which firmware is in
charge at that sim instant (even before the gateway has caught up to a reboot) and answers with that
firmware's TLS context, or None for plain HTTP; and it notes when the connection arrived, so a request on a
connection opened before a reboot is cut after it (:meth:`emulator.device.firmware_update.FirmwareUpdates.cut`).

The certificate follows the firmware too: a self-signed one of its key type and minimum TLS version (made once
per process and kind), or the user's own (``serve --cert/--key``) for every firmware that serves HTTPS.
``tls`` forces the transport for every firmware (``serve --tls`` / ``--no-tls``).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from emulator.contract import FirmwareFacts
from emulator.device.gateway import Gateway
from emulator.serving.tls import SelfSigned, TLSIdentity, self_signed
from emulator.serving.transport import drop_idle


@dataclass(frozen=True)
class Certificate:
    """A certificate the user brings (``serve --cert/--key``) instead of a self-signed one."""

    cert: str
    key: str


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


class Listener:
    """What one gateway's port speaks at each new connection: the transport of the firmware in charge now."""

    def __init__(self, gateway: Gateway, tls: bool | None = None, certificate: Certificate | None = None) -> None:
        self.gateway = gateway
        self.tls = tls
        self.certificate = certificate
        self._by_facts: dict[FirmwareFacts, tuple[TLSIdentity | None, SelfSigned | None]] = {}
        self.identity()  # the starting firmware's now: a certificate that cannot be used fails the start
        self._served: tuple[asyncio.AbstractEventLoop, set[Any]] | None = None  # the server's loop, connections
        gateway.firmware.watchers.append(self._rebooting)

    def facts(self) -> FirmwareFacts:
        """The firmware in charge at this sim instant (a reboot into a new one counts from its first second)."""
        gateway = self.gateway
        return gateway.firmware.facts_at(gateway.clock.now(), gateway.facts)

    def identity(self) -> TLSIdentity | None:
        """The certificate served now; None: plain HTTP."""
        return self.served()[0]

    def served(self) -> tuple[TLSIdentity | None, SelfSigned | None]:
        """The certificate served now and the self-signed one it is, if it is (None, None: plain HTTP)."""
        facts = self.facts()
        pair = self._by_facts.get(facts)
        if pair is None:
            pair = self._by_facts[facts] = tls_for(facts, self.tls, self.certificate)
        return pair

    @property
    def scheme(self) -> str:
        return "https" if self.identity() is not None else "http"

    def client_context(self) -> ssl.SSLContext | None:
        """A client context that trusts the self-signed certificate served now (None: none is)."""
        made = self.served()[1]
        return made.client_context() if made is not None else None

    # -- the server's door (emulator.serving.gate.Door) -------------------------------------------
    def server_context(self) -> ssl.SSLContext | None:
        identity = self.identity()
        return identity.server_context if identity is not None else None

    def note(self) -> object:
        """When a connection arrived, in the gateway's life and sim time (what a reboot is judged against)."""
        gateway = self.gateway
        return gateway.firmware.stamp(gateway.clock.now())

    def sweep(self, connections: set[Any]) -> None:
        """Close the idle connections a reboot ended, as a gateway that goes down closes its sockets; a request
        that comes on one before this is cut on arrival instead (emulator.serving.middleware).

        Called at every server tick, and at once when the gateway steps into a reboot (a clock jump through it:
        the connections close before the jump's answer is sent, so a client's next request opens a new one).
        """
        self._served = (asyncio.get_running_loop(), connections)
        firmware = self.gateway.firmware
        if firmware.ever:
            now = self.gateway.clock.now()
            drop_idle(connections, lambda note: firmware.predates_reboot(note, now))

    def _rebooting(self) -> None:
        if self._served is None:
            return  # not served by a server of ours (in process, through ASGI): nothing to close
        loop, connections = self._served
        try:
            here = asyncio.get_running_loop() is loop
        except RuntimeError:  # no loop in this thread: the gateway was advanced from outside the server
            here = False
        if here:
            self.sweep(connections)
        elif not loop.is_closed():  # (a stopped server has no connections left to close)
            loop.call_soon_threadsafe(self.sweep, connections)
