"""What the recorder asks a gateway's TEDAPI: who the gateway is when it has no /api/status, and which reads to poll.

Two doors, two credentials. The Wi-Fi TEDAPI (POST /tedapi/v1) takes HTTP Basic with the gateway password
from the QR sticker; TEDAPI v1r (POST /tedapi/v1r), the only TEDAPI a Powerwall 3 answers on today's LAN,
takes a customer login and requests signed with the owner's registered key. The recorder uses whichever it
was given credentials for (both, given both); a Powerwall 3, which has no /api/status, is identified over v1r
when the key is given, as its LAN clients do, else over the Wi-Fi TEDAPI.
"""

from __future__ import annotations

from typing import Any

from emulator import contract
from emulator.contract import FirmwareFacts
from emulator.contract.v1r import SigningKey
from emulator.replay import tedapi, tedapi_v1r
from emulator.replay.client import RecordError, RecordingClient


def identify(
    client: RecordingClient, gw_password: str | None, rsa_key: SigningKey | None, password: str | None, email: str
) -> dict[str, Any]:
    """A gateway without /api/status (a Powerwall 3): its DIN and firmware from the TEDAPI."""
    if rsa_key is not None:
        return tedapi_v1r.identify(client, rsa_key, _customer_password(password, gw_password), email)
    if not gw_password:
        raise RecordError(
            f"{client.base_url} has no GET /api/status (a Powerwall 3?): give --rsa-key (the owner's registered"
            " TEDAPI v1r key) or --gw-password (the gateway password on its QR sticker) to read its TEDAPI"
        )
    auth = tedapi.basic_auth(gw_password)
    answer = client.get("/tedapi/din", auth)
    if answer.status in (401, 403):
        raise RecordError(f"{client.base_url} refused the gateway password ({answer.status}): wrong --gw-password?")
    din = answer.content.decode("utf-8", "replace").strip()
    if answer.status != 200 or not din:
        raise RecordError(
            f"{client.base_url} answered neither GET /api/status (404) nor GET /tedapi/din ({answer.status})"
        )
    info = client.post_protobuf("/tedapi/v1", tedapi.requests(din)[0][1], auth)
    version = tedapi.firmware_version(info.content) if info.status == 200 else None
    if version is None:
        raise RecordError(f"{client.base_url}: the TEDAPI system information names no firmware ({info.status})")
    return {"version": version, "din": din}


def _customer_password(password: str | None, gw_password: str | None) -> str:
    """The customer password a v1r client logs in with: given, or a Powerwall 3's from its sticker's password."""
    if password:
        return password
    if gw_password:
        facts = next(f for f in contract.firmware_facts().values() if f.serves("POST", tedapi_v1r.PATH))
        return facts.default_password("", gw_password)
    raise RecordError("a Powerwall 3 is read over TEDAPI v1r after a login: give --password (the customer password)")


def plan(
    client: RecordingClient,
    gw_password: str | None,
    rsa_key: SigningKey | None,
    facts: FirmwareFacts,
    status: dict[str, Any],
) -> list[tedapi.Read]:
    """The TEDAPI requests to poll: the Wi-Fi TEDAPI's given the gateway password, v1r's given the key.

    On the Wi-Fi TEDAPI, the gateway's own reads, then one query per Powerwall 3 that config.json lists
    now: a site's Powerwalls do not change while it is recorded, so config.json is asked once here to find
    them. Over v1r the leader answers for the whole site: its reads, its own components included.
    """
    reads: list[tedapi.Read] = []
    din = status.get("din")
    if not isinstance(din, str) or not din:
        din = ""
    if gw_password and facts.serves("POST", "/tedapi/v1"):
        auth = tedapi.basic_auth(gw_password)
        din = din or _din(client, auth)
        reads = [tedapi.Read(key, body) for key, body in tedapi.requests(din)]
        config = next(r for r in reads if r.key == tedapi.CONFIG)
        answer = client.post_protobuf(config.path, config.body, auth)
        reads += tedapi.device_requests(din, answer.content) if answer.status == 200 else []
    if rsa_key is not None and facts.serves("POST", tedapi_v1r.PATH):
        reads += tedapi_v1r.reads(din or _din(client, None))
    return reads


def _din(client: RecordingClient, auth: dict[str, str] | None) -> str:
    """GET /tedapi/din with the gateway password's Basic, or (None) the session's bearer token."""
    answer = client.get("/tedapi/din", auth)
    if answer.status != 200:
        raise RecordError(f"{client.base_url} refused GET /tedapi/din ({answer.status}): wrong --gw-password?")
    return answer.content.decode("utf-8", "replace").strip()
