"""Firmware 1.15.0 (early 2018), as the seed notes describe it.

Plain HTTP; monitoring reads need no login; the login is the installer's
("S" + gateway serial) with a bearer token, and obtaining one stops
sitemaster. POST /api/operation is staged until GET /api/config/completed.
"""

from __future__ import annotations

from emulator.firmware.bodies import Bodies
from emulator.firmware.profile import ErrorText, FirmwareProfile
from emulator.firmware.routes import SEED_OPEN_ROUTES, SEED_ROUTES

CORS_HEADERS = (
    ("Access-Control-Allow-Credentials", "false"),
    (
        "Access-Control-Allow-Headers",
        "X-Requested-With, X-HTTP-Method-Override, Content-Type, Accept, Accept-Encoding, Authorization",
    ),
    ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Max-Age", "86400"),
)

PROFILE = FirmwareProfile(
    version="1.15.0",
    version_string="1.15.0\n",
    git_hash="dc337851c6cad15a7e9c7223d60fff719eb8da4d\n",
    tls_default=False,
    login_stops_sitemaster=True,
    operation_staged=True,
    cookie_sessions=False,
    default_password=lambda identity: "S" + identity.gateway_serial,
    login_roles=("Provider_Engineer",),
    bodies=Bodies(),
    served=SEED_ROUTES,
    open_routes=SEED_OPEN_ROUTES,
    bad_credentials=ErrorText(401, "Invalid Credentials", "Login Error"),
    missing_credentials=ErrorText(401, "Unauthorized", "Authorization token required"),
    invalid_credentials=ErrorText(401, "Unauthorized", "Token Expired"),
    throttle=None,
    extra_headers=CORS_HEADERS,
)
