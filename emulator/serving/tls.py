"""Self-signed certificates, made at start, for HTTPS like a real gateway's.

Real gateways present a self-signed certificate that names the gateway's IP
and the hostnames ``teg``, ``powerwall`` and ``powerpack``; clients turn
verification off. We make a throw-away CA and leaf with trustme, so a
caller that *does* want to verify can trust ``ca_pem``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass

from emulator.serving.server import TLSFiles

GATEWAY_NAMES = ("localhost", "127.0.0.1", "::1", "teg", "powerwall", "powerpack")


@dataclass(frozen=True)
class SelfSigned:
    files: TLSFiles
    ca_pem: str  # path of the CA certificate that signed the leaf


def self_signed(
    extra_names: tuple[str, ...] = (), *, key_type: str = "ec", min_version: str | None = None
) -> SelfSigned:
    """Write a fresh key and certificate chain to a private temp dir (removed at exit).

    ``key_type`` "ec" is P-256 (what a Powerwall 3 presents), "rsa" RSA-2048;
    ``min_version`` (e.g. "TLSv1.3") travels with the files to the server.
    """
    names = tuple(dict.fromkeys((*GATEWAY_NAMES, *extra_names)))
    import trustme  # ~40 ms to import: only when a certificate is made

    kind = trustme.KeyType.RSA if key_type == "rsa" else trustme.KeyType.ECDSA  # trustme's ECDSA is P-256
    ca = trustme.CA(
        organization_name="teg-emulator", organization_unit_name="Tesla Energy Products (emulated)", key_type=kind
    )
    leaf = ca.issue_cert(*names, common_name="powerwall", key_type=kind)
    folder = tempfile.mkdtemp(prefix="teg-emulator-tls-")
    os.chmod(folder, 0o700)
    atexit.register(shutil.rmtree, folder, True)
    cert, key, ca_path = (os.path.join(folder, n) for n in ("cert.pem", "key.pem", "ca.pem"))
    leaf.cert_chain_pems[0].write_to_path(cert)
    for extra in leaf.cert_chain_pems[1:]:
        extra.write_to_path(cert, append=True)
    leaf.private_key_pem.write_to_path(key)
    ca.cert_pem.write_to_path(ca_path)
    return SelfSigned(TLSFiles(cert, key, min_version), ca_path)
