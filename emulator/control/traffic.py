"""Control routes for misbehaviour and observation: /_emulator/faults and /_emulator/requests."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.control.routes import control_route
from emulator.device.errors import bad_request, error, not_found
from emulator.firmware import profile_of
from emulator.http.body import control_body
from emulator.http.context import context
from emulator.http.fault_kinds import RuleError
from emulator.http.faults import FaultEngine
from emulator.http.journal import Journal
from emulator.http.reply import json_reply

_HEADERS = {"cache-control": "no-cache, no-store"}


def _faults(request: Request) -> FaultEngine:
    return context(request).faults


def _journal(request: Request) -> Journal:
    return context(request).journal


def served_paths(request: Request) -> list[str]:
    """The path templates of the routes this firmware serves: what a fault rule's pattern must hit.

    A route is served when its firmware profile serves its name (the /api/ routes, named in openapi.yaml's
    x-teg-route), or, for the routes no x-teg-route names (the TEDAPI's), when the firmware's facts state its
    path for one of its methods. The emulator's own API is never faulted.
    """
    gateway = context(request).gateway
    profile, facts = profile_of(gateway), gateway.facts
    return [
        r.path
        for r in request.app.routes
        if getattr(r, "name", None)
        and (
            profile.serves(r.name)
            or (
                not r.path.startswith("/_emulator")
                and any(facts.serves(method, r.path) for method in getattr(r, "methods", None) or ())
            )
        )
    ]


async def add_fault(request: Request) -> Response:
    spec = await control_body(request, "control/fault.json")
    try:
        ctx = context(request)
        rule = ctx.faults.add(spec, ctx.traffic_clock(), served_paths(request), ctx.gateway.facts)
    except RuleError as exc:
        raise bad_request(str(exc)) from None
    return json_reply(201, rule.as_json(), dict(_HEADERS))


async def list_faults(request: Request) -> Response:
    return json_reply(200, {"faults": [r.as_json() for r in _faults(request).rules]}, dict(_HEADERS))


async def clear_faults(request: Request) -> Response:
    _faults(request).clear()
    return json_reply(200, {"faults": []}, dict(_HEADERS))


async def delete_fault(request: Request) -> Response:
    rule_id = request.path_params["rule_id"]
    if not _faults(request).remove(rule_id):
        raise not_found("fault rule", rule_id)
    return json_reply(200, {"faults": [r.as_json() for r in _faults(request).rules]}, dict(_HEADERS))


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # "²".isdigit() is True, int("²") fails
        raise error("query_not_whole", name=name, raw=raw)
    return int(raw)


async def list_requests(request: Request) -> Response:
    unknown = set(request.query_params) - {"method", "path", "status", "since", "limit"}
    if unknown:
        raise error("query_unknown", names=", ".join(sorted(unknown)))
    entries = _journal(request).query(
        method=request.query_params.get("method"),
        path=request.query_params.get("path"),
        status=_int_param(request, "status"),
        since_seq=_int_param(request, "since"),
        limit=_int_param(request, "limit"),
    )
    body: dict[str, Any] = {"requests": [e.as_json() for e in entries]}
    return json_reply(200, body, dict(_HEADERS))


async def clear_requests(request: Request) -> Response:
    _journal(request).clear()
    return json_reply(200, {"requests": []}, dict(_HEADERS))


TRAFFIC_ROUTES = [
    control_route("/_emulator/faults", {"POST": add_fault, "GET": list_faults, "DELETE": clear_faults}),
    control_route("/_emulator/faults/{rule_id}", {"DELETE": delete_fault}),
    control_route("/_emulator/requests", {"GET": list_requests, "DELETE": clear_requests}),
]
