"""Request Frames a TEDAPI client may send, as Hypothesis strategies, and the spec marker that names them.

The TEDAPI's bodies are protobuf, which OpenAPI can only declare as ``type: string, format: binary``.
openapi.yaml therefore says on the request media type which message the bytes are
(``x-teg-protobuf: teg_emulator.tedapi.Frame``), and :func:`frames` draws such messages: the
requests pypowerwall makes (system info, the config.json read, the queries it ships signed by Tesla),
with the parts a client may vary (recipient, sender, tail) drawn. A gateway answers each 200, or 404
when the recipient DIN is not on its site (documented). Free of schemathesis, so a test can draw from
it without registering hooks in its process; :mod:`emulator.tedapi.schemathesis_hooks` hands it to
schemathesis.

TEDAPI v1r's body is another message (``teg_emulator.tedapi.v1r.RoutableMessage``) on the same media type;
:func:`routables` draws those carrying the same envelopes (bare, with the uuid in either client's form and
the recipient drawn), signed as a client signs them with a :class:`Signer` -- a key the target accepts and
the DIN it answers, from ``$TEG_V1R_KEY`` and ``$TEG_V1R_DIN`` (:func:`signer_from_env`) -- so a gateway
answers them; without one, unsigned, each answered 200 with the fault that refuses it (documented). A
signature expires 12 s after it is made, so :func:`resigned` signs a drawn message again just before it is
sent (the schemathesis hooks do, in ``before_call``): an example replayed or shrunk later is still fresh.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError
from hypothesis import strategies as st

from emulator.contract.signed_query import SignedQuery, components_queries, status_query
from emulator.contract.v1r import SigningKey, SigningKeyError, read_signing_key, signed_message
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r

MARKER = "x-teg-protobuf"
FRAME = "teg_emulator.tedapi.Frame"
ROUTABLE = "teg_emulator.tedapi.v1r.RoutableMessage"
# Field values pypowerwall sends, from emulator/tedapi/proto/teg_emulator_tedapi.proto.
LOCAL_HTTPS, HERMES_COMMAND = 1, 2  # Envelope.delivery_channel
INSTALLER, CUSTOMER = 1, 2  # Participant.local
CUSTOMER_MOBILE_APP = 1  # Participant.authorized_client: how v1r clients send filestore commands
KEY_ENV, DIN_ENV = "TEG_V1R_KEY", "TEG_V1R_DIN"  # the v1r signer, for a target's own key
CONFIG_DOMAIN = 1  # FileRead.domain of config.json
SIGNED_FORMAT = 2  # QueryRequest.format: SHA-256 ECDSA, ASN.1
TO_GATEWAY, TO_FOLLOWER = 1, 2  # Tail.value
# A DIN's shape (part number, "--", serial): one the site does not have is answered 404.
DIN = r"\A[0-9]{7}-[0-9]{2}-[A-Z]--[A-Z0-9]{10,15}\Z"


def frames() -> st.SearchStrategy[bytes]:
    """Serialized request Frames the gateway answers: system info, config.json, pypowerwall's signed queries."""
    return st.builds(
        _frame,
        _bodies(),
        recipient=st.one_of(st.none(), st.from_regex(DIN)),
        sender=st.sampled_from([INSTALLER, CUSTOMER]),
        tail=st.sampled_from([TO_GATEWAY, TO_FOLLOWER]),
    )


@dataclass(frozen=True)
class Signer:
    """What a v1r client signs with: a key the gateway's table holds (verified), and the gateway's DIN."""

    key: SigningKey
    din: str


def signer_from_env(env: Mapping[str, str] | None = None) -> Signer | None:
    """The signer ``$TEG_V1R_KEY`` (a private key PEM file) and ``$TEG_V1R_DIN`` name; None when no key is
    named. ValueError, one line, when they are named but cannot be used."""
    env = os.environ if env is None else env
    path, din = env.get(KEY_ENV, "").strip(), env.get(DIN_ENV, "").strip()
    if not path:
        return None
    if not din:
        raise ValueError(f"${KEY_ENV} names a key but ${DIN_ENV} names no DIN to sign for (GET /tedapi/din answers it)")
    if not re.fullmatch(DIN, din):
        raise ValueError(f"${DIN_ENV} {din[:60]!r} is not a DIN (part number--serial, as GET /tedapi/din answers)")
    try:
        return Signer(read_signing_key(path), din)
    except SigningKeyError as exc:
        raise ValueError(f"${KEY_ENV}: {exc}") from None


def routables(signer: Signer | None = None) -> st.SearchStrategy[bytes]:
    """Serialized v1r RoutableMessages carrying the envelopes :func:`frames` carries, signed by ``signer``
    (unsigned without one), with either client's uuid and the recipient drawn."""
    uuids = st.one_of(st.binary(min_size=16, max_size=16), st.uuids().map(lambda u: str(u).encode("ascii")))
    recipients = st.one_of(st.none(), st.from_regex(DIN))
    return st.builds(_routable, _bodies(), uuid=uuids, recipient=recipients, signer=st.just(signer))


def _routable(body: pb.Envelope, *, uuid: bytes, recipient: str | None, signer: Signer | None) -> bytes:
    """One request, as a client addresses it: reads from the installer, filestore as the customer's app."""
    envelope = pb.Envelope()
    if body.WhichOneof("payload") == "filestore":
        envelope.delivery_channel, envelope.sender.authorized_client = HERMES_COMMAND, CUSTOMER_MOBILE_APP
    else:
        envelope.delivery_channel, envelope.sender.local = LOCAL_HTTPS, INSTALLER
    if recipient or signer:
        envelope.recipient.din = recipient or signer.din  # type: ignore[union-attr]  # one of them is there
    envelope.MergeFrom(body)
    if signer is not None:
        return signed_message(signer.key, signer.din, envelope.SerializeToString(), uuid=uuid)
    message = v1r.RoutableMessage(protobuf_message_as_bytes=envelope.SerializeToString(), uuid=uuid)
    message.to_destination.domain = v1r.DOMAIN_ENERGY_DEVICE
    data: bytes = message.SerializeToString()
    return data


def resigned(body: bytes, signer: Signer) -> bytes:
    """``body`` signed again now (a fresh expiry), when ``signer`` signed it; any other bytes unchanged."""
    message = v1r.RoutableMessage()
    try:
        message.ParseFromString(body)
    except DecodeError:
        return body
    if message.signature_data.signer_identity.public_key != signer.key.public_der:
        return body
    return signed_message(signer.key, signer.din, message.protobuf_message_as_bytes, uuid=message.uuid)


def _bodies() -> st.SearchStrategy[pb.Envelope]:
    bodies: list[st.SearchStrategy[pb.Envelope]] = [
        st.just(pb.Envelope(common=pb.CommonMessages(get_system_info_request=pb.SystemInfoRequest()))),
        st.just(
            pb.Envelope(
                filestore=pb.FileStoreMessages(
                    read_file_request=pb.FileReadRequest(domain=CONFIG_DOMAIN, name="config.json")
                )
            )
        ),
    ]
    queries = [q for q in (status_query(), *components_queries()) if q is not None]
    if queries:  # without pypowerwall installed there is no signed query to send
        bodies.append(st.builds(_query, st.sampled_from(queries)))
    return st.one_of(bodies)


def _query(query: SignedQuery) -> pb.Envelope:
    # the signed message as the capture ships it (V2026_06), else built from the text as pypowerwall builds it
    signed = query.signed or pb.SignedGraphQLQuery(version=1, query=query.text.encode("utf-8")).SerializeToString()
    request = pb.QueryRequest(
        format=SIGNED_FORMAT, query=signed, signature=query.signature, variables_json=pb.Text(value=query.variables)
    )
    return pb.Envelope(graphql=pb.GraphQLMessages(query_request=request))


def _frame(body: pb.Envelope, *, recipient: str | None, sender: int, tail: int) -> bytes:
    """One request: the body, addressed to ``recipient`` (None: the gateway itself, whatever its DIN)."""
    envelope = pb.Envelope(delivery_channel=LOCAL_HTTPS, sender=pb.Participant(local=sender))
    if recipient is not None:
        envelope.recipient.din = recipient
    envelope.MergeFrom(body)
    data: bytes = pb.Frame(envelope=envelope, tail=pb.Tail(value=tail)).SerializeToString()
    return data


def marked_media_types(document: dict[str, Any]) -> set[str]:
    """The request media types the document marks as Frames; ValueError when one also carries other bodies.

    A RoutableMessage on the same media type is no conflict: the hooks draw those for its operations.
    """
    marked: set[str] = set()
    unmarked: set[str] = set()
    for media_type, definition in _request_media_types(document):
        kind = definition.get(MARKER)
        if kind is None:
            unmarked.add(media_type)
        elif kind == FRAME:
            marked.add(media_type)
        elif kind != ROUTABLE:
            raise ValueError(f"{MARKER}: {kind!r} is not a message these hooks know (only {FRAME}, {ROUTABLE})")
    if marked & unmarked:
        raise ValueError(
            f"{', '.join(sorted(marked & unmarked))} carries both {FRAME} and other bodies in this document: "
            "a strategy registered for it would send Frames to all of them"
        )
    return marked


def operation_kind(operation: dict[str, Any]) -> str | None:
    """The message an operation's request body is marked as (FRAME, ROUTABLE), or None."""
    body = operation.get("requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    kinds = {d.get(MARKER) for d in (content or {}).values() if isinstance(d, dict)} - {None}
    return kinds.pop() if len(kinds) == 1 else None


def _request_media_types(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in (document.get("paths") or {}).values():
        for operation in item.values() if isinstance(item, dict) else ():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            content = body.get("content") if isinstance(body, dict) else None
            for media_type, definition in (content or {}).items():
                if isinstance(definition, dict):
                    yield media_type, definition
