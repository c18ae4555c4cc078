"""Firmware 24.4.0 (2024): HTTPS, customer password, cookie sessions, every read behind a login.

A login does not stop sitemaster; POST /api/operation applies at once;
repeated wrong passwords are throttled with the gateway's 429.
"""

from __future__ import annotations

from emulator.device.sessions import ThrottlePolicy
from emulator.firmware.modern_bodies import ModernBodies
from emulator.firmware.profile import ErrorText, FirmwareProfile
from emulator.firmware.routes import MODERN_OPEN_ROUTES, MODERN_ROUTES

PROFILE = FirmwareProfile(
    version="24.4.0",
    version_string="24.4.0 0fe780c9",
    git_hash="0fe780c9b3e54a69b7e0f2cfc0a1f3e7d1b2c3d4",
    tls_default=True,
    login_stops_sitemaster=False,
    operation_staged=False,
    cookie_sessions=True,
    default_password=lambda identity: identity.gateway_serial[-5:],
    login_roles=("Home_Owner",),
    bodies=ModernBodies(),
    served=MODERN_ROUTES,
    open_routes=MODERN_OPEN_ROUTES,
    bad_credentials=ErrorText(401, "bad credentials", "Login Error"),
    missing_credentials=ErrorText(403, "Unable to {method} to resource", "User does not have adequate access rights"),
    invalid_credentials=ErrorText(401, "Token Expired", "Invalid token, please log in again"),
    throttle=ThrottlePolicy(threshold=5, window_s=300.0, cooldown_s=30.0),
    tedapi=True,  # real Powerwall 2 gateways on 23.44+ serve it (pypowerwall's hybrid mode)
)
