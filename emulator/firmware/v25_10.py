"""Firmware 25.10.1 on a Powerwall 3 site (2025): the LAN API shrinks to three endpoints; the rest is TEDAPI.

On the wired LAN a Powerwall 3 answers only /api/meters/aggregates,
/api/system_status/soe and /api/system_status/grid_status, behind a customer
login (password: the last five characters of the gateway password, as
pypowerwall derives it); every other /api/ path is 404 and there is no web
portal at /. TLS 1.3 with an EC P-256 certificate. Vitals, strings,
temperatures and configuration come from the TEDAPI (protobuf over HTTPS,
HTTP Basic with the gateway password from the QR sticker).
"""

from __future__ import annotations

from emulator.device.sessions import ThrottlePolicy
from emulator.firmware.modern_bodies import ModernBodies
from emulator.firmware.profile import ErrorText, FirmwareProfile

PW3_LAN_ROUTES = frozenset({"meters.aggregates", "system_status.soe", "system_status.grid_status", "login.Basic"})

PROFILE = FirmwareProfile(
    version="25.10.1",
    version_string="25.10.1 4c1e2a7b",
    git_hash="4c1e2a7b9d0f3e5a6b7c8d9e0f1a2b3c4d5e6f70",
    tls_default=True,
    login_stops_sitemaster=False,
    operation_staged=False,
    cookie_sessions=True,
    default_password=lambda identity: identity.gateway_password[-5:],
    login_roles=("Home_Owner",),
    bodies=ModernBodies(),
    served=PW3_LAN_ROUTES,
    open_routes=frozenset({"login.Basic"}),
    bad_credentials=ErrorText(401, "bad credentials", "Login Error"),
    missing_credentials=ErrorText(403, "Unable to {method} to resource", "User does not have adequate access rights"),
    invalid_credentials=ErrorText(401, "Token Expired", "Invalid token, please log in again"),
    throttle=ThrottlePolicy(threshold=5, window_s=300.0, cooldown_s=30.0),
    tedapi=True,
    hardware="powerwall3",
    tls_min_version="TLSv1.3",
    tls_key_type="ec",
    web_portal=False,
)
