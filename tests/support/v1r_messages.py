"""TEDAPI v1r requests built by hand, with the clients' own wire definitions (tesla-protocol 4.x, which
aiopowerwall 0.8.0 sends with), so the emulator's .proto is checked against theirs.

:func:`routable` signs as a client does (RSA PKCS#1 v1.5, SHA-512, over the TLV of signature type, domain,
DIN, big-endian expiry, FF and the envelope) and lets a test change any part: the DIN it personalizes
with, the expiry, the domain, the key it names, the signature it carries, the uuid.
"""

from __future__ import annotations

import math
import struct
import time
import uuid as uuids
from functools import cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from tesla_protocol.energy_device import (
    authorization_types_pb2,
    filestore_api_pb2,
    signed_message_pb2,
    transport_pb2,
)

TTL_S = 12  # what both clients sign for
NOT_VERIFIED = b"authorization not verified"


@cache
def private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """Loaded once per PEM: loading checks an RSA-4096 key's consistency, ~0.3 s each time."""
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def public_der(pem: bytes) -> bytes:
    key = private_key(pem)
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def tlv(din: bytes, expires_at: int, envelope: bytes) -> bytes:
    def entry(tag: int, value: bytes) -> bytes:
        return bytes([tag, len(value)]) + value

    return b"".join(
        (
            entry(0, b"\x07"),
            entry(1, b"\x07"),
            entry(2, din),
            entry(4, struct.pack(">I", expires_at)),
            b"\xff",
            envelope,
        )
    )


def sign(pem: bytes, data: bytes) -> bytes:
    return private_key(pem).sign(data, padding.PKCS1v15(), hashes.SHA512())


def routable(
    pem: bytes,
    din: str | bytes,
    envelope: bytes,
    *,
    expires_at: int | None = None,
    uuid: bytes | None = None,
    domain: signed_message_pb2.Domain = signed_message_pb2.DOMAIN_ENERGY_DEVICE,
    public_key: bytes | None = None,
    signature: bytes | None = None,
) -> bytes:
    """A signed RoutableMessage, as a client sends it unless told otherwise."""
    expires = math.ceil(time.time()) + TTL_S if expires_at is None else expires_at
    din_bytes = din.encode() if isinstance(din, str) else din
    message = signed_message_pb2.RoutableMessage()
    message.to_destination.domain = domain
    message.protobuf_message_as_bytes = envelope
    message.uuid = uuids.uuid4().bytes if uuid is None else uuid
    message.signature_data.signer_identity.public_key = public_der(pem) if public_key is None else public_key
    message.signature_data.rsa_data.expires_at = expires
    message.signature_data.rsa_data.signature = (
        sign(pem, tlv(din_bytes, expires, envelope)) if signature is None else signature
    )
    return message.SerializeToString()


def answer(body: bytes) -> signed_message_pb2.RoutableMessage:
    message = signed_message_pb2.RoutableMessage()
    message.ParseFromString(body)
    return message


def fault_name(body: bytes) -> str:
    return signed_message_pb2.MessageFault_E.Name(answer(body).signed_message_status.message_fault)


def envelope_of(body: bytes) -> transport_pb2.MessageEnvelope:
    reply = answer(body)
    assert reply.signed_message_status.message_fault == 0, fault_name(body)
    envelope = transport_pb2.MessageEnvelope()
    envelope.ParseFromString(reply.protobuf_message_as_bytes)
    return envelope


def system_info(din: str) -> bytes:
    envelope = transport_pb2.MessageEnvelope()
    envelope.delivery_channel = transport_pb2.DELIVERY_CHANNEL_LOCAL_HTTPS
    envelope.sender.local = transport_pb2.LOCAL_PARTICIPANT_INSTALLER
    envelope.recipient.din = din
    envelope.common.get_system_info_request.SetInParent()
    return envelope.SerializeToString()


def config_read(din: str) -> bytes:
    envelope = command(din)
    envelope.filestore.read_file_request.domain = filestore_api_pb2.FILE_STORE_API_DOMAIN_CONFIG_JSON
    envelope.filestore.read_file_request.name = "config.json"
    return envelope.SerializeToString()


def command(din: str) -> transport_pb2.MessageEnvelope:
    """An envelope addressed as the clients address commands (Hermes channel, mobile-app client)."""
    envelope = transport_pb2.MessageEnvelope()
    envelope.delivery_channel = transport_pb2.DELIVERY_CHANNEL_HERMES_COMMAND
    envelope.sender.authorized_client = authorization_types_pb2.AUTHORIZED_CLIENT_TYPE_CUSTOMER_MOBILE_APP
    envelope.recipient.din = din
    return envelope
