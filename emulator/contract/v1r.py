"""TEDAPI v1r as a client puts it on the wire: the signed ``RoutableMessage``, byte for byte, from the wire facts.

Everything that *sends* v1r needs this, and none of it may borrow the gateway's own code: the contract
suite (which judges real Powerwall 3s, and so must not sign with the code it judges), ``record`` (which
reads a real Powerwall 3), the schemathesis hooks and the bench. It lives in the contract layer for the
same reason the signed GraphQL queries do (:mod:`emulator.contract.signed_query`): the suite may import
``emulator.contract`` and nothing else of the emulator, and one definition of the TLV serves both
sides -- the gateway's check (:mod:`emulator.tedapi.signed`) rebuilds the bytes with
:func:`personalization`, so a client and the gateway cannot disagree on them by accident; the real
clients (aiopowerwall, pypowerwall) in the tests and a real Powerwall 3 under the suite are what would
show the shared definition wrong.

The facts (../shared/research/tedapi-v1r.md section 3, read from aiopowerwall 0.8.0 and pypowerwall
0.22.2; field numbers of tesla-protocol 4.x's ``signed_message.proto``):

* ``RoutableMessage``: 6 to_destination {1 domain = 7}, 10 protobuf_message_as_bytes (the bare
  ``MessageEnvelope``), 12 signed_message_status {1 message_fault}, 13 signature_data {1 signer_identity
  {1 public_key: PKCS#1 RSAPublicKey DER}, 7 rsa_data {1 expires_at: fixed32, 2 signature}}, 50
  request_uuid, 51 uuid (16 raw bytes, or 36 ASCII characters as pypowerwall sends it);
* what is signed, RSA PKCS#1 v1.5 over SHA-512, is the TLV ``00 01 07 | 01 01 07 | 02 len DIN |
  04 04 expires_at (big-endian) | FF`` followed by field 10's bytes, with the DIN ``GET /tedapi/din``
  answers; clients sign for 12 s.

Pure and small: protobuf is written by hand (five fields), and ``cryptography`` loads only with a key.
"""

from __future__ import annotations

import hashlib
import math
import struct
import time
import uuid as uuids
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.contract.wire import varint

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

PATH = "/tedapi/v1r"
DOMAIN_ENERGY_DEVICE = 7
SIGNATURE_TYPE_RSA = 7
TAG_SIGNATURE_TYPE, TAG_DOMAIN, TAG_PERSONALIZATION, TAG_EXPIRES_AT, TAG_END = 0, 1, 2, 4, 255
TTL_S = 12  # how long both clients sign for
NOT_VERIFIED = "authorization not verified"  # what a pending key's answer says; clients search field 10 for it
MAX_PEM_BYTES = 16 * 1024  # an RSA-8192 private key in PEM is ~6.3 KB

# RoutableMessage's fields (tesla-protocol 4.x signed_message.proto)
TO_DESTINATION, PAYLOAD, STATUS, SIGNATURE_DATA, REQUEST_UUID, UUID = 6, 10, 12, 13, 50, 51
MESSAGE_FAULT = 1  # MessageStatus.message_fault

# MessageFault_E, by number: the refusals a gateway answers 200 with (field 12.1)
FAULTS = {
    0: "NONE",
    1: "BUSY",
    2: "TIMEOUT",
    3: "UNKNOWN_KEY_ID",
    4: "INACTIVE_KEY",
    5: "INVALID_SIGNATURE",
    6: "INVALID_TOKEN_OR_COUNTER",
    7: "INSUFFICIENT_PRIVILEGES",
    8: "INVALID_DOMAINS",
    9: "INVALID_COMMAND",
    10: "DECODING",
    11: "INTERNAL",
    12: "WRONG_PERSONALIZATION",
    13: "BAD_PARAMETER",
    14: "KEYCHAIN_IS_FULL",
    15: "INCORRECT_EPOCH",
    16: "IV_INCORRECT_LENGTH",
    17: "TIME_EXPIRED",
    18: "NOT_PROVISIONED_WITH_IDENTITY",
    19: "COULD_NOT_HASH_METADATA",
    20: "TIME_TO_LIVE_TOO_LONG",
    21: "REMOTE_ACCESS_DISABLED",
    22: "REMOTE_SERVICE_REQUEST_NOT_SUPPORTED",
}
FAULT = {name: code for code, name in FAULTS.items()}


def fault_name(code: int) -> str:
    return FAULTS.get(code, f"fault {code}")


def personalization(din: str, expires_at: int, envelope: bytes) -> bytes:
    """The bytes a client signs for the gateway whose DIN is ``din`` (ValueError: a DIN a TLV cannot hold)."""
    din_bytes = din.encode("utf-8")
    if len(din_bytes) > 255:
        raise ValueError("a DIN longer than 255 bytes cannot be put in a TLV")
    if not 0 <= expires_at < 2**32:
        raise ValueError("expires_at is an unsigned 32-bit number of seconds")
    return b"".join(
        (
            _tlv(TAG_SIGNATURE_TYPE, bytes([SIGNATURE_TYPE_RSA])),
            _tlv(TAG_DOMAIN, bytes([DOMAIN_ENERGY_DEVICE])),
            _tlv(TAG_PERSONALIZATION, din_bytes),
            _tlv(TAG_EXPIRES_AT, struct.pack(">I", expires_at)),
            bytes([TAG_END]),
            envelope,
        )
    )


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


class SigningKeyError(ValueError):
    """A signing key that cannot be used; the message is one line saying why."""


@dataclass(frozen=True, eq=False)
class SigningKey:
    """An RSA private key a v1r client signs with, and the public key DER its requests name."""

    private: rsa.RSAPrivateKey
    public_der: bytes  # PKCS#1 RSAPublicKey DER: what field 13.1.1 carries and the gateway's table holds

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 of the public key DER: the name pypowerwall prints and the control API lists."""
        return hashlib.sha256(self.public_der).hexdigest()

    @property
    def bits(self) -> int:
        return int(self.private.key_size)

    def public_pem(self) -> str:
        """The public key as a PKCS#1 PEM: what registering it (the control API, Tesla's cloud) takes."""
        from cryptography.hazmat.primitives import serialization

        pem: bytes = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        )
        return pem.decode("ascii")

    def sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        signature: bytes = self.private.sign(data, padding.PKCS1v15(), hashes.SHA512())
        return signature


def signing_key(pem: bytes) -> SigningKey:
    """The key in an unencrypted RSA private key PEM (PKCS#1 or PKCS#8); :class:`SigningKeyError` otherwise."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if len(pem) > MAX_PEM_BYTES:
        raise SigningKeyError(f"over {MAX_PEM_BYTES} bytes: not a key file")
    if b"PRIVATE KEY-----" not in pem:
        raise SigningKeyError("not a private key PEM: signing needs the private key (-----BEGIN RSA PRIVATE KEY-----)")
    try:
        # a key that only signs needs no consistency check (~0.3 s for RSA-4096): a broken one signs badly
        key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        raise SigningKeyError("the private key is encrypted; give an unencrypted PEM") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"not a PEM key: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningKeyError(f"v1r keys are RSA, not {type(key).__name__.removeprefix('_')}")
    return _signing(key)


def read_signing_key(path: str | Path) -> SigningKey:
    """:func:`signing_key` of a file; :class:`SigningKeyError` naming the file when it cannot be read or used."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            pem = handle.read(MAX_PEM_BYTES + 1)
    except OSError as exc:
        raise SigningKeyError(f"{file}: {exc.strerror or exc}") from None
    try:
        return signing_key(pem)
    except SigningKeyError as exc:
        raise SigningKeyError(f"{file}: {exc}") from None


def new_signing_key(bits: int = 2048) -> SigningKey:
    """A fresh key no gateway knows (a test's unknown key; 2048 bits: made in a fraction of a second)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return _signing(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def _signing(key: rsa.RSAPrivateKey) -> SigningKey:
    from cryptography.hazmat.primitives import serialization

    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return SigningKey(key, der)


def new_uuid(text: bool = False) -> bytes:
    """A request uuid as aiopowerwall sends it (16 raw bytes), or as pypowerwall does (``text``: 36 characters)."""
    fresh = uuids.uuid4()
    return str(fresh).encode("ascii") if text else fresh.bytes


def expiry(now: float | None = None, ttl_s: int = TTL_S) -> int:
    """``expires_at`` as clients stamp it: ``ceil(now) + 12`` on the wall clock."""
    return math.ceil(time.time() if now is None else now) + ttl_s


def signed_message(
    key: SigningKey,
    din: str,
    envelope: bytes | None,
    *,
    expires_at: int | None = None,
    uuid: bytes | None = None,
    domain: int = DOMAIN_ENERGY_DEVICE,
    signature: bytes | None = None,
    signer: bytes | None = None,
    rsa_data: bool = True,
) -> bytes:
    """A serialized RoutableMessage carrying ``envelope``, signed by ``key`` for the gateway ``din``.

    As a client sends it unless told otherwise (a test of the gateway changes one part): ``expires_at``
    (default 12 s ahead), ``uuid`` (default 16 fresh bytes), the ``domain`` addressed, the ``signature``
    carried (default the right one), the ``signer`` key DER named (default ``key``'s), no RSA signature
    data at all (``rsa_data=False``), or no envelope (``envelope`` None: field 10 left out).
    """
    expires = expiry() if expires_at is None else expires_at
    if signature is None:
        signature = key.sign(personalization(din, expires, envelope or b""))
    rsa_part = _field(1, struct.pack("<I", expires), wire=5) + _field(2, signature)
    data = _field(1, _field(1, key.public_der if signer is None else signer))
    if rsa_data:
        data += _field(7, rsa_part)
    return b"".join(
        (
            _field(TO_DESTINATION, _varint_field(1, domain)),
            b"" if envelope is None else _field(PAYLOAD, envelope),
            _field(SIGNATURE_DATA, data),
            _field(UUID, new_uuid() if uuid is None else uuid),
        )
    )


# -- protobuf, by hand -----------------------------------------------------------------------
def _varint_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def _field(number: int, value: bytes, *, wire: int = 2) -> bytes:
    """A length-delimited field (``wire`` 2), or a fixed32 one (``wire`` 5, ``value`` its 4 bytes)."""
    if wire == 5:
        return varint(number << 3 | 5) + value
    return varint(number << 3 | 2) + varint(len(value)) + value
