"""The authorized-client table over TEDAPI v1r (``Envelope.authorization``): list, add, remove.

The same table the control API drives (:mod:`emulator.device.authorized_clients`). A key added here is
pending, as a cloud registration makes it: the owner's presence proof still verifies it. Removing the
key that signed the request is allowed, and locks that client out: its next request is UNKNOWN_KEY_ID.
"""

from __future__ import annotations

from emulator.device.authorized_clients import (
    AuthorizedClient,
    AuthorizedClients,
    KeyRefused,
    KeyState,
    load_der_public_key,
)
from emulator.device.errors import bad_request
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.dispatch import Call, command

CUSTOMER_MOBILE_APP, RSA, CUSTOMER, PRESENCE_PROOF = 1, 1, 1, 1
STATES = {KeyState.PENDING: 1, KeyState.TIMED_OUT: 2, KeyState.VERIFIED: 3}  # AuthorizedState on the wire
MAX_DESCRIPTION = 200


def record(table: AuthorizedClients, client: AuthorizedClient) -> pb.AuthorizationRecord:
    entry = pb.AuthorizationRecord(
        type=CUSTOMER_MOBILE_APP,
        description=client.description,
        key_type=RSA,
        public_key=client.der,
        roles=[CUSTOMER],
        state=STATES[table.state(client)],
        verification=PRESENCE_PROOF,
    )
    entry.added_time.seconds = int(client.added_at)
    return entry


@command("authorization", "list_authorized_clients_request")
def list_clients(call: Call, _request: pb.Empty, reply: pb.Envelope) -> None:
    table = call.gateway.authorized_clients
    listing = reply.authorization.list_authorized_clients_response
    listing.SetInParent()
    listing.clients.extend(record(table, client) for client in table)
    listing.enable_line_switch_off = False


@command("authorization", "add_authorized_client_request", writes=True)
def add_client(call: Call, request: pb.AddAuthorizedClientRequest, reply: pb.Envelope) -> None:
    if request.key_type not in (0, RSA):
        raise bad_request("the gateway takes RSA keys (key_type 1)")
    if len(request.description) > MAX_DESCRIPTION:
        raise bad_request(f"a description of at most {MAX_DESCRIPTION} characters")
    table = call.gateway.authorized_clients
    try:
        client = table.add(load_der_public_key(request.public_key), description=request.description)
    except KeyRefused as exc:
        raise bad_request(f"public_key: {exc}") from None
    reply.authorization.add_authorized_client_response.client.CopyFrom(record(table, client))


@command("authorization", "remove_authorized_client_request", writes=True)
def remove_client(call: Call, request: pb.RemoveAuthorizedClientRequest, reply: pb.Envelope) -> None:
    """Acknowledged whether or not the key was listed (clients treat the answer as carrying nothing)."""
    call.gateway.authorized_clients.remove(bytes(request.public_key))
    reply.authorization.remove_authorized_client_response.SetInParent()
