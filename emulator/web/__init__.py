"""The gateway's own web page at ``/`` and the emulator's control panel at ``/_emulator/``.

Both are plain HTML, CSS and JavaScript shipped inside the package and read
from disk: no CDN, no build step, they work offline. The pages talk to the
emulator only through its public HTTP surfaces (``/api/`` for the gateway
page, ``/_emulator/`` for the panel), like any other client.

``/`` goes through the journal and fault rules like any request to a gateway;
the assets live under ``/_emulator/static/`` so loading them neither fills
the journal a test may be asserting on nor trips a fault meant for clients.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from emulator.device.errors import error, not_found
from emulator.http.context import context
from emulator.http.reply import json_reply

_HERE = Path(__file__).resolve().parent
PAGES = _HERE / "pages"
STATIC = _HERE / "static"
_MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
_HEADERS = {
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
}
# Everything the pages load comes from this server; a stray CDN link would be refused by the browser.
_PAGE_HEADERS = {
    **_HEADERS,
    "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}
PAGE_USERNAME = "customer"


def _page(name: str) -> Response:
    return Response((PAGES / name).read_bytes(), media_type="text/html; charset=utf-8", headers=dict(_PAGE_HEADERS))


async def gateway_page(request: Request) -> Response:
    """The gateway's page. A Powerwall 3 has no local web portal: clients that do not ask for HTML
    get its 404 (pypowerwall tells a PW3 from a PW2 by that), browsers still get the page."""
    facts = context(request).gateway.facts
    if not facts.web_portal and "text/html" not in request.headers.get("accept", ""):
        raise error("not_on_firmware", path="/", version=facts.version)
    return _page("gateway.html")


async def control_panel(request: Request) -> Response:
    return _page("control.html")


def asset_names() -> dict[str, str]:
    """The files under static/ by name, with their media types; nothing else is ever served."""
    return {p.name: _MEDIA_TYPES[p.suffix] for p in STATIC.iterdir() if p.is_file() and p.suffix in _MEDIA_TYPES}


async def static_asset(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = asset_names().get(name)
    if media_type is None:
        raise not_found("asset", name)
    return Response((STATIC / name).read_bytes(), media_type=media_type, headers=dict(_HEADERS))


async def credentials(request: Request) -> Response:
    """What the gateway page needs to log in where the firmware wants a session for live data.

    The emulator is a test double bound to 127.0.0.1 by default: its CLI prints this password and
    its fleet listing serves it too. Never journaled (it is under /_emulator).
    """
    gateway = context(request).gateway
    body = {
        "firmware": gateway.facts.version,
        "username": PAGE_USERNAME,
        "password": gateway.password,
        "login_stops_sitemaster": gateway.facts.login_stops_sitemaster,
    }
    return json_reply(200, body, {"cache-control": "no-cache, no-store"})


def web_routes() -> list[BaseRoute]:
    return [
        Route("/", gateway_page, methods=["GET"]),
        Route("/_emulator/", control_panel, methods=["GET"]),
        Route("/_emulator/static/{name}", static_asset, methods=["GET"]),
        Route("/_emulator/credentials", credentials, methods=["GET"]),
    ]
