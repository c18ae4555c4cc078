"""GET/PUT /_emulator/rate_limits: the gateway's two limits, seen and changed while it runs.

``requests`` is the per-client, per-endpoint request limit (emulator.device.rate_limits: off
unless switched on, on the simulated clock); ``login`` is the lockout after too many wrong
passwords (emulator.device.sessions, in real time). A PUT changes the sections it names, from
what they are now (or, for a limit that is off, from what the firmware states), and starts their
counting afresh: whoever was limited is let in. POST /_emulator/reset returns both to the start.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.control.routes import control_route
from emulator.device.errors import bad_request
from emulator.device.gateway import Gateway
from emulator.device.rate_limits import DEFAULT_COOLDOWN_S, RatePolicy
from emulator.device.sessions import ThrottlePolicy
from emulator.http.body import control_body
from emulator.http.context import context
from emulator.http.reply import json_reply

_HEADERS = {"cache-control": "no-cache, no-store"}


def limits_body(gateway: Gateway) -> dict[str, Any]:
    requests, login, stated = gateway.rate_limits.policy, gateway.logins.throttle.policy, gateway.facts.rate_limits
    return {
        "requests": {
            "enabled": requests is not None,
            **(
                {"requests": requests.requests, "window_s": requests.window_s, "cooldown_s": requests.cooldown_s}
                if requests
                else {}
            ),
            "stated": None
            if stated is None
            else {
                "requests": stated.requests,
                "window_s": stated.window_s,
                "cooldown_s": stated.cooldown_s,
                "basis": stated.basis,
            },
            "limited": gateway.rate_limits.limited(),
        },
        "login": {
            "enabled": login is not None,
            **(
                {"threshold": login.threshold, "window_s": login.window_s, "cooldown_s": login.cooldown_s}
                if login
                else {}
            ),
            "locked_for_s": round(gateway.logins.throttle.locked_for(gateway.clock.real_time()), 3),
        },
    }


def _requests(gateway: Gateway, given: dict[str, Any]) -> RatePolicy | None:
    if not given.get("enabled", True):
        return None
    stated = gateway.facts.rate_limits
    base = gateway.rate_limits.policy or (
        RatePolicy(stated.requests, stated.window_s, stated.cooldown_s) if stated is not None else None
    )
    missing = [k for k in ("requests", "window_s") if k not in given] if base is None else []
    if missing:
        raise bad_request(
            f"requests: firmware {gateway.facts.version} states no rate limit, so give {' and '.join(missing)}"
        )
    return RatePolicy(
        given.get("requests", base.requests if base else 0),
        given.get("window_s", base.window_s if base else 0.0),
        given.get("cooldown_s", base.cooldown_s if base else DEFAULT_COOLDOWN_S),
    )


def _login(gateway: Gateway, given: dict[str, Any]) -> ThrottlePolicy | None:
    if not given.get("enabled", True):
        return None
    base = (
        gateway.logins.throttle.policy or ThrottlePolicy.tuned(gateway.facts.throttle, None, None) or ThrottlePolicy()
    )
    return ThrottlePolicy(
        given.get("threshold", base.threshold),
        given.get("window_s", base.window_s),
        given.get("cooldown_s", base.cooldown_s),
    )


async def get_limits(request: Request) -> Response:
    return json_reply(200, limits_body(context(request).gateway), dict(_HEADERS))


async def put_limits(request: Request) -> Response:
    body = await control_body(request, "control/rate_limits.put.json")
    gateway = context(request).gateway
    requests = _requests(gateway, body["requests"]) if "requests" in body else None
    login = _login(gateway, body["login"]) if "login" in body else None
    # both checked before either changes: a refusal leaves the gateway as it was
    if "requests" in body:
        gateway.rate_limits.set_policy(requests)
    if "login" in body:
        gateway.logins.set_throttle(login)
    return json_reply(200, limits_body(gateway), dict(_HEADERS))


LIMIT_ROUTES = [control_route("/_emulator/rate_limits", {"GET": get_limits, "PUT": put_limits})]
