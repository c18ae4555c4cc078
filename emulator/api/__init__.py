"""The gateway's /api/ routes, generated from the contract: a row of openapi.yaml plus a handler by name.

Each operation under /api/ names its route in ``x-teg-route``; the modules here register a handler per
route name and method (``HANDLERS``), and :func:`route_table` joins the two: the path and the methods
come from the contract, never written again here. A handler the contract does not know, or a method the
contract does not list for that route, stops the import with the name to fix.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from emulator import contract
from emulator.api import auth, device, live, modern, operation, site_info, wizard
from emulator.api.base import ApiRoute, Handler, SnapshotRead, api_route, snapshot_read

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


def _rows() -> list[tuple[str, str, dict[str, Handler]]]:
    """(route name, path, handlers by method) for every registered name, checked against the contract."""
    paths = contract_routes()
    rows = []
    for name, by_method in handlers().items():
        if name not in paths:
            raise ValueError(f"handlers for route {name!r}, which no operation of openapi.yaml names (x-teg-route)")
        path, methods = paths[name]
        if set(by_method) != methods:
            raise ValueError(f"route {name!r}: handlers for {sorted(by_method)}, openapi.yaml lists {sorted(methods)}")
        bound = {m: replace(h, name=name) if isinstance(h, SnapshotRead) else h for m, h in by_method.items()}
        rows.append((name, path, bound))
    return rows


_ROWS = _rows()  # checked at import: a handler the contract does not know stops it, as the module says


def route_table() -> list[ApiRoute]:
    """One route per registered name, at the contract's path, with the contract's methods."""
    return [api_route(name, path, bound) for name, path, bound in _ROWS]


def snapshot_reads() -> dict[str, SnapshotRead]:
    """Path -> snapshot read, for every route whose GET body is a renderer of the snapshot (what the fast path
    answers): what :func:`route_table`'s routes say, known without making them."""
    return {path: read for _, path, bound in _ROWS if (read := snapshot_read(path, bound)) is not None}


@cache
def _api_routes() -> list[ApiRoute]:
    return route_table()


if TYPE_CHECKING:
    API_ROUTES: list[ApiRoute]
    """Every /api/ route (made when first asked for: a server makes its routes at its first routed request)."""


def __getattr__(name: str) -> Any:
    if name == "API_ROUTES":
        return _api_routes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["API_ROUTES", "contract_routes", "handlers", "route_table", "snapshot_reads"]
