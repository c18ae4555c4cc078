"""The server's TLS identity, kept in memory, and the self-signed one made at start for HTTPS like a real gateway's.

Real gateways present a self-signed certificate that names the gateway's IP and the hostnames ``teg``,
``powerwall`` and ``powerpack``; clients turn verification off. We make a throw-away CA and leaf with
trustme, so a caller that *does* want to verify can trust the CA (:meth:`SelfSigned.client_context`).

The private key never touches a disk. OpenSSL loads a key only from a path, so it is handed one that names
an anonymous in-memory file (``memfd_create``), closed as soon as it is read: a SIGTERM or a SIGKILL leaves
no ``/tmp/teg-emulator-tls-*`` key behind, since there never is one. Where no memfd exists (not Linux),
the key goes to a private temp file removed the moment it is loaded.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass, field
from functools import cached_property

GATEWAY_NAMES = ("localhost", "127.0.0.1", "::1", "teg", "powerwall", "powerpack")


@dataclass(frozen=True)
class TLSIdentity:
    """A certificate chain and its private key (PEM, in memory), and the lowest TLS version to accept."""

    chain_pem: bytes  # the leaf first, then its issuers
    key_pem: bytes = field(repr=False)
    min_version: str | None = None  # e.g. "TLSv1.3" (a Powerwall 3 refuses older handshakes)
    source: str = "the self-signed certificate"  # what an error names: the files a user gave, or this

    @classmethod
    def from_files(cls, certfile: str, keyfile: str, min_version: str | None = None) -> TLSIdentity:
        """Read a user's --cert/--key once, at start (ValueError: one line naming them)."""
        source = f"{certfile} with {keyfile}"
        try:
            with open(certfile, "rb") as cert, open(keyfile, "rb") as key:
                return cls(cert.read(1 << 20), key.read(1 << 20), min_version, source)
        except OSError as exc:
            raise ValueError(f"cannot use {source}: {exc.strerror or exc}") from None

    @cached_property
    def server_context(self) -> ssl.SSLContext:
        """The context every listener serves with (built once; ValueError if the pair is unusable).

        What uvicorn's own ``create_ssl_context`` makes from its defaults (TLS server, no client
        certificates, OpenSSL's ciphers), plus the firmware's minimum version.
        """
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            _load_from_memory(context, self.chain_pem + b"\n" + self.key_pem)
        except (ssl.SSLError, OSError) as exc:
            raise ValueError(f"cannot use {self.source}: {exc}") from None
        context.verify_mode = ssl.CERT_NONE
        if self.min_version:
            context.minimum_version = ssl.TLSVersion[self.min_version.replace(".", "_")]
        return context


def _load_from_memory(context: ssl.SSLContext, pem: bytes) -> None:
    """``load_cert_chain`` from bytes: the chain and key in one anonymous file that only this process can name."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None:
        fd = memfd_create("teg-emulator-tls", getattr(os, "MFD_CLOEXEC", 0))
        try:
            _write_all(fd, pem)
            path = f"/proc/self/fd/{fd}"
            if os.path.exists(path):
                context.load_cert_chain(path)
                return
        finally:
            os.close(fd)
    with tempfile.TemporaryDirectory(prefix="teg-emulator-tls-") as folder:  # 0700; gone when loaded
        path = os.path.join(folder, "identity.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, pem)
        finally:
            os.close(fd)
        context.load_cert_chain(path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass(frozen=True)
class SelfSigned:
    """A self-signed identity and the CA that signed it, for clients that want to verify it."""

    identity: TLSIdentity
    ca_cert_pem: str  # the CA that signed the leaf (public: a client may trust it)

    def client_context(self) -> ssl.SSLContext:
        """A client context that verifies the server against this CA (hostnames as GATEWAY_NAMES)."""
        return ssl.create_default_context(cadata=self.ca_cert_pem)


def self_signed(
    extra_names: tuple[str, ...] = (), *, key_type: str = "ec", min_version: str | None = None
) -> SelfSigned:
    """A fresh CA, leaf and key, in memory only.

    ``key_type`` "ec" is P-256 (what a Powerwall 3 presents), "rsa" RSA-2048;
    ``min_version`` (e.g. "TLSv1.3") travels with the identity to the server.
    """
    names = tuple(dict.fromkeys((*GATEWAY_NAMES, *extra_names)))
    import trustme  # ~40 ms to import: only when a certificate is made

    kind = trustme.KeyType.RSA if key_type == "rsa" else trustme.KeyType.ECDSA  # trustme's ECDSA is P-256
    ca = trustme.CA(
        organization_name="teg-emulator", organization_unit_name="Tesla Energy Products (emulated)", key_type=kind
    )
    leaf = ca.issue_cert(*names, common_name="powerwall", key_type=kind)
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    identity = TLSIdentity(chain, leaf.private_key_pem.bytes(), min_version)
    return SelfSigned(identity, ca.cert_pem.bytes().decode("ascii"))
