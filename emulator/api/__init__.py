"""The gateway's /api/ routes, by area of the real API, read top to bottom."""

from __future__ import annotations

from starlette.routing import Route

from emulator.api import auth, device, live, modern, operation, site_info, wizard

API_ROUTES: list[Route] = [
    *live.ROUTES,
    *auth.ROUTES,
    *device.ROUTES,
    *operation.ROUTES,
    *site_info.ROUTES,
    *wizard.ROUTES,
    *modern.ROUTES,
]

__all__ = ["API_ROUTES"]
