"""The authorized-client table through the control API (the handle's side: tests/clients/test_tedapi_v1r_keys.py;
serve --authorized-key: tests/e2e/test_cli_authorized_key.py).

A key is added pending (what Tesla's cloud registration does), a presence proof (the Powerwall 3's
On/Off switch) inside 10 simulated minutes verifies it, after them it is timed_out until added again;
DELETE removes it. Bad input is a 400 (a malformed key) or a 404 (an unknown fingerprint) and changes
nothing. Whether a key's requests are answered in each state is tests/http/test_tedapi_v1r_wire.py's and the
client tests'; here, what the table says.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.testclient import TestClient

from emulator import contract, create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.testing.keys import fingerprint_of, private_key_pem, public_key_pem
from tests.support.v1r_messages import public_der

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
FIRST, SECOND = 0, 2  # key slots (shared with the wire tests' process: each is made once)


def client(**options: Any) -> TestClient:
    gateway = build_gateway(EmulatorOptions(firmware="25.10.1", paused=True, **options))
    return TestClient(create_app(gateway), base_url="https://testserver")


def listing(c: TestClient) -> list[dict]:
    answer = c.get("/_emulator/authorized_clients")
    assert answer.status_code == 200
    body = answer.json()
    contract.validator("control/authorized_clients.json").validate(body)
    return body["authorized_clients"]


def states(c: TestClient) -> dict[str, str]:
    return {entry["fingerprint"]: entry["state"] for entry in listing(c)}


def add(c: TestClient, pem: bytes, **extra: str) -> dict:
    answer = c.post("/_emulator/authorized_clients", json={"public_key": pem.decode(), **extra})
    assert answer.status_code == 201, answer.text
    contract.validator("control/authorized_client.json").validate(answer.json())
    return answer.json()


def test_a_key_goes_pending_then_verified_by_the_presence_proof_inside_its_window() -> None:
    c = client()
    first, second = fingerprint_of(private_key_pem(FIRST)), fingerprint_of(private_key_pem(SECOND))
    record = add(c, private_key_pem(FIRST), description="Powerwall LAN Client")
    assert record["fingerprint"] == first == hashlib.sha256(public_der(private_key_pem(FIRST))).hexdigest()
    assert record["state"] == "pending" and record["window_left_s"] == 600 and record["key_bits"] == 4096
    assert record["description"] == "Powerwall LAN Client"
    c.post("/_emulator/clock", json={"advance_s": 300})
    add(c, public_key_pem(private_key_pem(SECOND)))  # the public half alone is as good
    c.post("/_emulator/clock", json={"advance_s": 299})
    proof = c.post("/_emulator/authorized_clients/presence_proof")
    assert proof.status_code == 200
    assert {e["fingerprint"]: e["state"] for e in proof.json()["authorized_clients"]} == {
        first: "verified",
        second: "verified",
    }
    assert all(e["window_left_s"] is None for e in proof.json()["authorized_clients"])


def test_a_window_that_passes_leaves_the_key_timed_out_and_adding_it_again_reopens_it() -> None:
    c = client()
    pem, print_ = private_key_pem(FIRST), fingerprint_of(private_key_pem(FIRST))
    add(c, pem)
    c.post("/_emulator/clock", json={"advance_s": 600})
    assert states(c) == {print_: "timed_out"}
    c.post("/_emulator/authorized_clients/presence_proof")
    assert states(c) == {print_: "timed_out"}  # a toggle too late proves nothing
    again = add(c, pem)
    assert again["state"] == "pending" and again["window_left_s"] == 600
    c.post("/_emulator/authorized_clients/presence_proof")
    assert states(c) == {print_: "verified"}
    c.post("/_emulator/clock", json={"advance_s": 86_400})
    assert states(c) == {print_: "verified"}  # verified for good


def test_a_key_added_verified_is_usable_at_once_and_delete_removes_it() -> None:
    c = client()
    print_ = add(c, private_key_pem(FIRST), state="verified")["fingerprint"]
    assert states(c) == {print_: "verified"}
    gone = c.delete(f"/_emulator/authorized_clients/{print_.upper()}")  # hex in either case
    assert gone.status_code == 200 and gone.json() == {"authorized_clients": []}
    again = c.delete(f"/_emulator/authorized_clients/{print_}")
    assert again.status_code == 404 and again.json()["code"] == 404


@pytest.mark.parametrize(
    "bad",
    [
        "not a key at all",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        "an EC key",
        "an encrypted private key",
        "x" * 8_193,  # over the schema's bound
    ],
)
def test_a_malformed_key_is_a_400_and_changes_nothing(bad: str) -> None:
    if bad == "an EC key":
        bad = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
    elif bad == "an encrypted private key":
        bad = (
            rsa.generate_private_key(public_exponent=65537, key_size=1024)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"secret"),
            )
            .decode()
        )
    c = client()
    add(c, private_key_pem(FIRST))
    before = listing(c)
    answer = c.post("/_emulator/authorized_clients", json={"public_key": bad})
    assert answer.status_code == 400 and answer.json()["code"] == 400
    assert listing(c) == before


@pytest.mark.parametrize(
    "body",
    [{}, {"public_key": ""}, {"public_key": "x", "state": "timed_out"}, {"public_key": "x", "extra": 1}, []],
)
def test_a_body_the_schema_refuses_is_a_400(body: object) -> None:
    c = client()
    assert c.post("/_emulator/authorized_clients", json=body).status_code == 400
    assert listing(c) == []


@pytest.mark.parametrize("fingerprint", ["0" * 64, "not-hex", "presence_proof"])
def test_deleting_an_unknown_fingerprint_is_a_404(fingerprint: str) -> None:
    c = client(authorized_keys=(private_key_pem(FIRST),))
    before = listing(c)
    assert c.delete(f"/_emulator/authorized_clients/{fingerprint}").status_code == 404
    assert listing(c) == before


def test_the_table_holds_32_keys_and_refuses_a_33rd() -> None:
    c = client()
    keys = [
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        for _ in range(33)
    ]  # 1024-bit: the size aiopowerwall's own tests sign with, and quick to make 33 of
    for key in keys[:32]:
        add(c, key)
    refused = c.post("/_emulator/authorized_clients", json={"public_key": keys[32].decode()})
    assert refused.status_code == 400 and "32" in refused.json()["message"]
    assert len(listing(c)) == 32
    add(c, keys[0], state="verified")  # one already listed may still change state


def test_reset_keeps_the_keys_the_gateway_started_with_and_drops_the_rest() -> None:
    c = client(authorized_keys=(private_key_pem(FIRST),))
    started_with = states(c)
    add(c, private_key_pem(SECOND))
    assert len(listing(c)) == 2
    c.post("/_emulator/reset")
    assert states(c) == started_with == {fingerprint_of(private_key_pem(FIRST)): "verified"}
