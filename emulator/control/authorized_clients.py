"""The control API's window on the gateway's authorized-client table (TEDAPI v1r keys).

It stands in for what a test cannot do to an emulator otherwise: register a key through Tesla's cloud
(``POST``: pending, or verified at once), toggle the Powerwall 3's On/Off switch (``presence_proof``),
and see or drop what the table holds. A malformed key is a 400 and an unknown fingerprint a 404, and
either changes nothing.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.control.routes import control_route
from emulator.device.authorized_clients import (
    AuthorizedClient,
    AuthorizedClients,
    KeyRefused,
    KeyState,
    load_public_key,
)
from emulator.device.errors import bad_request, not_found
from emulator.http.body import control_body
from emulator.http.context import context
from emulator.http.reply import json_reply

_HEADERS = {"cache-control": "no-cache, no-store"}


def _table(request: Request) -> AuthorizedClients:
    return context(request).gateway.authorized_clients


def record(table: AuthorizedClients, client: AuthorizedClient) -> dict[str, Any]:
    state = table.state(client)
    left = None if client.window_ends is None else max(0.0, client.window_ends - table.now())
    return {
        "fingerprint": client.fingerprint,
        "state": state.value,
        "description": client.description,
        "key_bits": client.key.key_size,
        "public_key": base64.b64encode(client.der).decode("ascii"),
        "added_s": client.added_at,
        "window_left_s": left,
    }


def _listing(table: AuthorizedClients, status: int = 200) -> Response:
    return json_reply(status, {"authorized_clients": [record(table, c) for c in table]}, dict(_HEADERS))


async def list_clients(request: Request) -> Response:
    return _listing(_table(request))


async def add_client(request: Request) -> Response:
    body = await control_body(request, "control/authorized_client.post.json")
    table = _table(request)
    try:
        key = load_public_key(body["public_key"].encode("utf-8"))
        client = table.add(
            key, verified=body.get("state") == KeyState.VERIFIED, description=body.get("description", "")
        )
    except KeyRefused as exc:
        raise bad_request(f"public_key: {exc}") from None
    return json_reply(201, record(table, client), dict(_HEADERS))


async def presence_proof(request: Request) -> Response:
    """The On/Off switch toggled: every pending key inside its window is verified."""
    table = _table(request)
    table.presence_proof()
    return _listing(table)


async def remove_client(request: Request) -> Response:
    table = _table(request)
    wanted = request.path_params["fingerprint"]
    client = table.by_fingerprint(wanted)
    if client is None:
        raise not_found("authorized client", wanted)
    table.remove(client.der)
    return _listing(table)


AUTHORIZED_CLIENT_ROUTES = [
    control_route("/_emulator/authorized_clients", {"GET": list_clients, "POST": add_client}),
    control_route("/_emulator/authorized_clients/presence_proof", {"POST": presence_proof}),
    control_route("/_emulator/authorized_clients/{fingerprint}", {"DELETE": remove_client}),
]
