"""TEDAPI v1r's signature: the TLV a gateway rebuilds, and the checks that let a RoutableMessage in.

Pure: bytes, a key table and the wall-clock time in; the signed envelope or a :class:`Fault` out.
A client signs, with RSA PKCS#1 v1.5 over SHA-512, not the message but this TLV (1-byte tag, 1-byte
length, value), which the gateway rebuilds from the message and its own DIN::

    00 01 07            signature type: RSA
    01 01 07            domain: energy device
    02 LL <DIN>         personalization: this gateway's DIN (ASCII)
    04 04 <expiry>      expires_at, unix seconds, big-endian
    FF                  end
    <envelope bytes>    the RoutableMessage's protobuf_message_as_bytes, exactly

The checks run in the order a gateway's faults tell them apart, cheapest first, and every size is
bounded before any cryptography: a megabyte signature or key is refused by its length. The key's
state (pending or verified) is the caller's to judge, after a signature that verifies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from google.protobuf.message import DecodeError

from emulator.contract import v1r as contract_v1r
from emulator.device.authorized_clients import MAX_DER_BYTES, AuthorizedClient
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r

DOMAIN_ENERGY_DEVICE = v1r.DOMAIN_ENERGY_DEVICE

MAX_TTL_S = 60  # expires_at at most this far ahead of the gateway's clock (clients sign for 12 s)
EXPIRY_SKEW_S = 5  # ...and accepted until this long after it: a client clock a little behind
MAX_SIGNATURE_BYTES = 1024  # an RSA-8192 signature; longer cannot verify with any key the table holds
_UUID_TEXT = re.compile(rb"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")

Lookup = Callable[[bytes], AuthorizedClient | None]


class Fault(Exception):
    """A request the gateway refuses with a ``MessageFault`` (answered 200, the fault in field 12)."""

    def __init__(self, code: int, why: str, request_uuid: bytes = b"") -> None:
        super().__init__(f"{v1r.MessageFault.Name(code)}: {why}")
        self.code, self.why, self.request_uuid = code, why, request_uuid


@dataclass(frozen=True, slots=True)
class Signed:
    """A request whose signature verified: the envelope to answer, who signed it, and its uuid to echo."""

    envelope: bytes
    signer: AuthorizedClient
    uuid: bytes


def personalized(din: str, expires_at: int, envelope: bytes) -> bytes:
    """The bytes a client signs for gateway ``din``: the contract's TLV, the one definition clients sign by."""
    return contract_v1r.personalization(din, expires_at, envelope)


def check(body: bytes, lookup: Lookup, din: str, other_dins: Iterable[str], now: float) -> Signed:
    """The signed envelope in ``body``, or the :class:`Fault` a gateway with DIN ``din`` refuses it with.

    ``lookup`` finds a key in the authorized-client table by its DER; ``other_dins`` are the site's other
    devices (a signature made for one of them is a wrong personalization, not a bad signature); ``now``
    is the wall-clock time the expiry is judged by.
    """
    message = v1r.RoutableMessage()
    try:
        message.ParseFromString(body)
    except DecodeError:
        raise Fault(v1r.MESSAGEFAULT_ERROR_DECODING, "the body is not a RoutableMessage") from None
    uuid = message.uuid
    if message.WhichOneof("payload") != "protobuf_message_as_bytes":
        raise Fault(v1r.MESSAGEFAULT_ERROR_DECODING, "no protobuf_message_as_bytes (field 10)", uuid)
    if message.to_destination.WhichOneof("sub_destination") != "domain" or message.to_destination.domain != (
        DOMAIN_ENERGY_DEVICE
    ):
        raise Fault(v1r.MESSAGEFAULT_ERROR_INVALID_DOMAINS, "to_destination is not the energy device domain", uuid)
    signer = _parameters(message)
    client = lookup(signer)
    if client is None:
        raise Fault(v1r.MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID, "the signer's key is not an authorized client", uuid)
    rsa_data = message.signature_data.rsa_data
    if rsa_data.expires_at < now - EXPIRY_SKEW_S:
        raise Fault(v1r.MESSAGEFAULT_ERROR_TIME_EXPIRED, "expires_at has passed", uuid)
    if rsa_data.expires_at > now + MAX_TTL_S:
        raise Fault(v1r.MESSAGEFAULT_ERROR_TIME_TO_LIVE_TOO_LONG, f"expires_at is over {MAX_TTL_S} s ahead", uuid)
    envelope = message.protobuf_message_as_bytes
    if not _verifies(client, rsa_data.signature, personalized(din, rsa_data.expires_at, envelope)):
        if any(
            _verifies(client, rsa_data.signature, personalized(d, rsa_data.expires_at, envelope)) for d in other_dins
        ):
            raise Fault(v1r.MESSAGEFAULT_ERROR_WRONG_PERSONALIZATION, "signed for another device of the site", uuid)
        raise Fault(v1r.MESSAGEFAULT_ERROR_INVALID_SIGNATURE, "the signature does not verify", uuid)
    return Signed(envelope, client, uuid)


def _parameters(message: v1r.RoutableMessage) -> bytes:
    """The signer's key DER, once every part the checks need is there and of a sane size."""
    data = message.signature_data
    uuid = message.uuid
    if data.WhichOneof("sig_type") != "rsa_data":
        raise Fault(v1r.MESSAGEFAULT_ERROR_BAD_PARAMETER, "no RSA signature data", uuid)
    if data.signer_identity.WhichOneof("identity_type") != "public_key":
        raise Fault(v1r.MESSAGEFAULT_ERROR_BAD_PARAMETER, "the signer is not named by its public key", uuid)
    if not 0 < len(data.signer_identity.public_key) <= MAX_DER_BYTES:
        raise Fault(v1r.MESSAGEFAULT_ERROR_BAD_PARAMETER, f"a public key of 1 to {MAX_DER_BYTES} bytes", uuid)
    if not 0 < len(data.rsa_data.signature) <= MAX_SIGNATURE_BYTES:
        raise Fault(v1r.MESSAGEFAULT_ERROR_BAD_PARAMETER, f"a signature of 1 to {MAX_SIGNATURE_BYTES} bytes", uuid)
    if uuid and not (len(uuid) == 16 or _UUID_TEXT.match(uuid)):
        raise Fault(v1r.MESSAGEFAULT_ERROR_BAD_PARAMETER, "a uuid is 16 bytes or 36 characters", b"")
    return bytes(data.signer_identity.public_key)


def _verifies(client: AuthorizedClient, signature: bytes, data: bytes) -> bool:
    if len(signature) != (client.key.key_size + 7) // 8:
        return False  # cannot be this key's signature: no need to compute
    try:
        client.key.verify(signature, data, padding.PKCS1v15(), hashes.SHA512())
    except InvalidSignature:
        return False
    return True


def answer(envelope: bytes, request_uuid: bytes, uuid: bytes) -> bytes:
    """The RoutableMessage that carries ``envelope`` back (never empty: clients take empty as refused)."""
    reply = v1r.RoutableMessage(protobuf_message_as_bytes=envelope, request_uuid=request_uuid, uuid=uuid)
    reply.from_destination.domain = DOMAIN_ENERGY_DEVICE
    data: bytes = reply.SerializeToString()
    return data


def refusal(fault: Fault, uuid: bytes) -> bytes:
    """The RoutableMessage that says ``fault``."""
    reply = v1r.RoutableMessage(request_uuid=fault.request_uuid, uuid=uuid)
    reply.from_destination.domain = DOMAIN_ENERGY_DEVICE
    reply.signed_message_status.message_fault = fault.code  # type: ignore[assignment]  # an enum's int
    data: bytes = reply.SerializeToString()
    return data
