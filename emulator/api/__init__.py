"""The gateway's /api/ routes, generated from the contract: a row of openapi.yaml plus a handler by name.

Each operation under /api/ names its route in ``x-teg-route``; the modules here register a handler per
route name and method (``HANDLERS``), and :func:`route_table` joins the two: the path and the methods
come from the contract, never written again here. A handler the contract does not know, or a method the
contract does not list for that route, stops the import with the name to fix.
"""

from __future__ import annotations

from dataclasses import replace

from emulator import contract
from emulator.api import auth, device, live, modern, operation, site_info, wizard
from emulator.api.base import ApiRoute, Handler, SnapshotRead, api_route

_AREAS = (live, auth, device, operation, site_info, wizard, modern)


def handlers() -> dict[str, dict[str, Handler]]:
    """Every area's handlers by route name, in the order routes are matched; a name registered twice is an error."""
    found: dict[str, dict[str, Handler]] = {}
    for area in _AREAS:
        for name, by_method in area.HANDLERS.items():
            if name in found:
                raise ValueError(f"route {name!r} has handlers in two places ({area.__name__} is the second)")
            found[name] = by_method
    return found


def contract_routes() -> dict[str, tuple[str, frozenset[str]]]:
    """Route name -> (path template, methods), from openapi.yaml's x-teg-route under /api/."""
    routes: dict[str, tuple[str, frozenset[str]]] = {}
    for op in contract.operations():
        if op.route is None or not op.path.startswith("/api/"):
            continue
        path, methods = routes.get(op.route, (op.path, frozenset()))
        if path != op.path:
            raise ValueError(f"x-teg-route {op.route!r} names two paths: {path} and {op.path}")
        routes[op.route] = (path, methods | {op.method})
    return routes


def route_table() -> list[ApiRoute]:
    """One route per registered name, at the contract's path, with the contract's methods."""
    paths = contract_routes()
    table = []
    for name, by_method in handlers().items():
        if name not in paths:
            raise ValueError(f"handlers for route {name!r}, which no operation of openapi.yaml names (x-teg-route)")
        path, methods = paths[name]
        if set(by_method) != methods:
            raise ValueError(f"route {name!r}: handlers for {sorted(by_method)}, openapi.yaml lists {sorted(methods)}")
        bound = {m: replace(h, name=name) if isinstance(h, SnapshotRead) else h for m, h in by_method.items()}
        table.append(api_route(name, path, bound))
    return table


API_ROUTES: list[ApiRoute] = route_table()

__all__ = ["API_ROUTES", "contract_routes", "handlers", "route_table"]
