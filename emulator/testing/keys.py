"""RSA keys for TEDAPI v1r tests and examples: real RSA-4096 keys, made once per process.

A v1r client signs with a key the owner registered; a test needs one the emulator knows, and no key
file. Making an RSA-4096 key takes about a second of CPU, so each ``slot`` is made the first time it
is asked for and kept for the life of the process: a suite pays once per distinct key it uses, and
the keys stay the size real registrations use (``pypowerwall register`` makes 4096-bit ones).
"""

from __future__ import annotations

from functools import cache

KEY_BITS = 4096


@cache
def private_key_pem(slot: int = 0) -> bytes:
    """Slot ``slot``'s private key, PEM (PKCS#1 "RSA PRIVATE KEY", as pypowerwall writes its key file)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if slot < 0:
        raise ValueError("a key slot is 0 or more")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def public_key_pem(private_pem: bytes) -> bytes:
    """The public half of a private key PEM, as a PKCS#1 "RSA PUBLIC KEY" PEM."""
    from cryptography.hazmat.primitives import serialization

    from emulator.device.authorized_clients import load_public_key

    return load_public_key(private_pem).public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)


def fingerprint_of(pem: bytes) -> str:
    """The fingerprint the control API and pypowerwall name a key by (of a public or a private PEM)."""
    from emulator.device.authorized_clients import fingerprint, load_public_key, public_der

    return fingerprint(public_der(load_public_key(pem)))
