"""The gateway's authorized-client table: the RSA keys that may sign TEDAPI v1r requests, and their states.

A key gets here the way a real one does, through Tesla's cloud (the control API stands in for it):
it is added PENDING, and the owner proves presence -- toggles the Powerwall 3's On/Off switch -- within
the verification window, which makes it VERIFIED. A window that passes leaves it TIMED_OUT until it is
added again, which opens a new window. A key may also start VERIFIED (``serve --authorized-key``).
The window is a gateway timer, so it runs on the simulated clock: a test jumps it.

A key is known by its PKCS#1 ``RSAPublicKey`` DER, the bytes a v1r request carries, and named by the
hex SHA-256 of those bytes: the fingerprint pypowerwall prints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cryptography loads when a key does: a gateway without v1r keys starts without it
    from cryptography.hazmat.primitives.asymmetric import rsa

VERIFICATION_WINDOW_S = 600.0  # ten minutes from registration to the switch toggle
MAX_CLIENTS = 32  # a bounded keychain, like the gateway's (MESSAGEFAULT_ERROR_KEYCHAIN_IS_FULL)
MAX_PEM_BYTES = 8192  # an RSA-8192 private key in PEM is ~6.3 KB; the control API body stays well under 64 KiB
KEY_BITS = (1024, 8192)  # aiopowerwall's own tests sign with 1024-bit keys; registrations use 4096
MAX_DER_BYTES = 1100  # an RSA-8192 PKCS#1 public key is ~1,050 bytes: longer cannot be in the table


class KeyState(StrEnum):
    PENDING = "pending"
    TIMED_OUT = "timed_out"
    VERIFIED = "verified"


class KeyRefused(ValueError):
    """A key that cannot be read or stored; the message says why (a 400 at the control API)."""


def public_der(key: rsa.RSAPublicKey) -> bytes:
    """The PKCS#1 ``RSAPublicKey`` DER of ``key``: what a v1r request carries as its signer."""
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    """The RSA public key in a PEM (public: PKCS#1 or SubjectPublicKeyInfo; private: its public half)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if len(pem) > MAX_PEM_BYTES:
        raise KeyRefused(f"the PEM is over {MAX_PEM_BYTES} bytes")
    key: object
    try:
        if b"PRIVATE KEY-----" in pem:
            # only the public half is kept, so the slow private-key consistency check buys nothing
            key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
            key = key.public_key()
        else:
            key = serialization.load_pem_public_key(pem)
    except TypeError:
        raise KeyRefused("the private key is encrypted; give the public key or an unencrypted PEM") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyRefused(f"not a PEM key: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyRefused(f"v1r keys are RSA, not {type(key).__name__.removeprefix('_')}")
    if not KEY_BITS[0] <= key.key_size <= KEY_BITS[1]:
        raise KeyRefused(f"an RSA key of {key.key_size} bits; v1r keys are {KEY_BITS[0]} to {KEY_BITS[1]} bits")
    return key


def load_der_public_key(der: bytes) -> rsa.RSAPublicKey:
    """The RSA public key a TEDAPI request names by its PKCS#1 (or SubjectPublicKeyInfo) DER."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not 0 < len(der) <= MAX_DER_BYTES:
        raise KeyRefused(f"a public key of 1 to {MAX_DER_BYTES} bytes")
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyRefused("not a DER public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyRefused(f"v1r keys are RSA, not {type(key).__name__.removeprefix('_')}")
    if not KEY_BITS[0] <= key.key_size <= KEY_BITS[1]:
        raise KeyRefused(f"an RSA key of {key.key_size} bits; v1r keys are {KEY_BITS[0]} to {KEY_BITS[1]} bits")
    return key


@dataclass(frozen=True, slots=True)
class AuthorizedClient:
    """One key in the table. ``window_ends`` (sim s) is when a pending key times out; None once verified."""

    key: rsa.RSAPublicKey
    der: bytes
    fingerprint: str
    added_at: float  # sim seconds
    window_ends: float | None
    description: str = ""

    def state(self, now: float) -> KeyState:
        if self.window_ends is None:
            return KeyState.VERIFIED
        return KeyState.PENDING if now < self.window_ends else KeyState.TIMED_OUT


class AuthorizedClients:
    """The table, in the order keys were added; windows judged by the gateway's (simulated) clock."""

    def __init__(
        self,
        now: Callable[[], float],
        verified: Iterable[rsa.RSAPublicKey] = (),
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._now = now
        self._changed = changed  # the gateway's: answers cached for the current sample are stale now
        self._by_der: dict[bytes, AuthorizedClient] = {}
        for key in verified:
            self.add(key, verified=True)

    def add(self, key: rsa.RSAPublicKey, *, verified: bool = False, description: str = "") -> AuthorizedClient:
        """Add ``key`` (again): pending with a fresh window, or verified. Refused past :data:`MAX_CLIENTS`."""
        der = public_der(key)
        old = self._by_der.get(der)
        if old is None and len(self._by_der) >= MAX_CLIENTS:
            raise KeyRefused(f"the gateway holds at most {MAX_CLIENTS} authorized clients; remove one first")
        now = self._now()
        client = AuthorizedClient(
            key,
            der,
            fingerprint(der),
            now if old is None else old.added_at,
            None if verified else now + VERIFICATION_WINDOW_S,
            description or (old.description if old else ""),
        )
        self._by_der[der] = client
        self._changed()
        return client

    def find(self, der: bytes) -> AuthorizedClient | None:
        """The client whose key is ``der`` exactly; None for any other bytes (no parsing, no crypto)."""
        return self._by_der.get(der) if len(der) <= MAX_DER_BYTES else None

    def by_fingerprint(self, wanted: str) -> AuthorizedClient | None:
        return next((c for c in self._by_der.values() if c.fingerprint == wanted.lower()), None)

    def now(self) -> float:
        """The gateway's clock (simulated seconds), which the windows run on."""
        return self._now()

    def state(self, client: AuthorizedClient) -> KeyState:
        return client.state(self._now())

    def presence_proof(self) -> list[AuthorizedClient]:
        """The switch toggle: every pending key still inside its window becomes verified; those are returned."""
        now = self._now()
        proven = [c for c in self._by_der.values() if c.state(now) is KeyState.PENDING]
        for client in proven:
            self._by_der[client.der] = replace(client, window_ends=None)
        self._changed()
        return [self._by_der[c.der] for c in proven]

    def remove(self, der: bytes) -> bool:
        removed = self._by_der.pop(der, None) is not None
        self._changed()
        return removed

    def __iter__(self) -> Iterator[AuthorizedClient]:
        return iter(list(self._by_der.values()))

    def __len__(self) -> int:
        return len(self._by_der)
