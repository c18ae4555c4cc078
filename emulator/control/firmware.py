"""Control routes for firmware updates: GET /_emulator/firmware and POST /_emulator/firmware {"version"}.

An update here changes the contract, as on a real site (emulator.device.firmware_update): the gateway walks
its update states, reboots for ``reboot_s`` simulated seconds, and comes back as the new version. The control
API itself answers throughout (it is the harness's door, not the gateway's), so a test can watch the phases
and move the clock through them. Bad input -- an unknown version, another hardware generation, a downgrade
not allowed, times out of range, an update while one is under way -- is a 4xx and changes nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.contract import facts_for, firmware_facts
from emulator.control.routes import control_route
from emulator.device import direct_control
from emulator.device.errors import GatewayError, bad_request
from emulator.device.firmware_update import Durations, UpdateRefused, refusal, version_key
from emulator.device.gateway import Gateway
from emulator.http.body import control_body
from emulator.http.context import context
from emulator.http.reply import json_reply

_HEADERS = {"cache-control": "no-cache, no-store"}
_DURATIONS = ("check_s", "download_s", "install_s", "reboot_s")


def firmware_body(gw: Gateway) -> dict[str, Any]:
    """The firmware in charge now, the update (under way or last done), the versions it may update to, and every
    version the emulator knows (a downgrade or another hardware generation is refused, with why)."""
    now = gw.catch_up()
    facts = gw.firmware.facts_at(now, gw.facts)
    change = gw.firmware.change
    return {
        "version": facts.version,
        "hardware": facts.hardware,
        "scheme": facts.scheme,
        "update": change.as_json(now) if change is not None else None,
        "updates_to": [
            f.version
            for f in firmware_facts().values()
            if version_key(f.version) > version_key(facts.version) and refusal(facts, f, allow_downgrade=False) is None
        ],
        "versions": sorted(firmware_facts(), key=version_key),
    }


async def get_firmware(request: Request) -> Response:
    return json_reply(200, firmware_body(context(request).gateway), dict(_HEADERS))


async def post_firmware(request: Request) -> Response:
    """Start an update (202: under way; GET /_emulator/firmware and /_emulator/state follow its phases)."""
    body = await control_body(request, "control/firmware.post.json")
    ctx = context(request)
    gw = ctx.gateway
    try:
        target = facts_for(body["version"])
        durations = Durations(**{name: float(body[name]) for name in _DURATIONS if name in body})
    except UpdateRefused as exc:
        raise GatewayError(exc.status, "Bad Request", str(exc)) from None
    except ValueError as exc:
        raise bad_request(f"version: {exc}") from None
    if ctx.fixed_transport is not None and target.uses_tls != gw.facts.uses_tls:
        raise GatewayError(409, "Conflict", f"firmware {target.version} serves {target.scheme}: {ctx.fixed_transport}")
    try:
        direct_control.update_firmware(gw, target, durations, allow_downgrade=body.get("allow_downgrade", False))
    except UpdateRefused as exc:
        raise GatewayError(exc.status, "Conflict" if exc.status == 409 else "Bad Request", str(exc)) from None
    return json_reply(202, firmware_body(gw), dict(_HEADERS))


FIRMWARE_ROUTES = [control_route("/_emulator/firmware", {"GET": get_firmware, "POST": post_firmware})]
