"""The authorized-client table from the handle's side: running(authorized_keys=...), the fixture's marker option,
and the handle's key methods (verified_key mints an RSA-4096 key the gateway accepts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import emulator
from emulator.testing.keys import fingerprint_of, private_key_pem

FIRST, SECOND = 0, 2  # key slots


def test_running_takes_keys_as_pem_text_or_files_and_the_handle_mints_a_verified_one(tmp_path: Path) -> None:
    key_file = tmp_path / "tedapi_rsa_private.pem"
    key_file.write_bytes(private_key_pem(FIRST))
    with emulator.running(firmware="25.10.1", authorized_keys=[key_file]) as gw:
        assert [c["fingerprint"] for c in gw.authorized_clients()] == [fingerprint_of(private_key_pem(FIRST))]
        minted = gw.verified_key(SECOND)
        assert fingerprint_of(minted) in {c["fingerprint"] for c in gw.authorized_clients() if c["state"] == "verified"}
        gw.add_authorized_client(private_key_pem(FIRST))
        assert {c["state"] for c in gw.authorized_clients()} == {"pending", "verified"}
        gw.presence_proof()
        gw.remove_authorized_client(fingerprint_of(minted))
        assert [c["state"] for c in gw.authorized_clients()] == ["verified"]
    with pytest.raises(ValueError, match="authorized key"):
        emulator.running(firmware="25.10.1", authorized_keys=[tmp_path / "missing.pem"]).start()
    with pytest.raises(ValueError, match="authorized key: not a PEM key"):
        emulator.running(firmware="25.10.1", authorized_keys=["-----BEGIN nonsense"]).start()


# made at import for the marker, so small: a 1024-bit key takes milliseconds, a 4096-bit one a second per worker
PUBLIC_KEY = (
    rsa.generate_private_key(public_exponent=65537, key_size=1024)
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    .decode()
)


@pytest.mark.teg_emulator(firmware="25.10.1", authorized_keys=[PUBLIC_KEY])
def test_the_fixture_takes_authorized_keys_from_its_marker(teg_emulator: emulator.Emulator) -> None:
    assert [(c["fingerprint"], c["state"]) for c in teg_emulator.authorized_clients()] == [
        (fingerprint_of(PUBLIC_KEY.encode()), "verified")
    ]
