"""Route names by firmware era. A route name is the path after ``/api/`` with
``/`` written as ``.`` and path parameters bare (``solars.brands.brand``); the
JSON Schemas in schemas/responses/ are named the same way."""

from __future__ import annotations

SEED_OPEN_ROUTES = frozenset(
    {
        "meters.aggregates",
        "system_status.soe",
        "sitemaster",
        "powerwalls",
        "customer.registration",
        "system_status.grid_status",
        "system.update.status",
        "site_info",
        "site_info.site_name",
        "status",
        "system_status.grid_faults",
        "logout",
        "sitemaster.stop",
        "sitemaster.run",
        "config.completed",
        "login.Basic",
    }
)
"""What the seed notes list as needing no token on 1.15.0."""

SEED_ROUTES = SEED_OPEN_ROUTES | frozenset(
    {
        # token-protected
        "operation",
        "powerwalls.status",
        "site_info.grid_codes",
        "solars",
        "solars.brands",
        "solars.brands.brand",
        "generators",
        "generators.disconnect_types",
        "customer",
        "config",
        "meters",
        "installer",
        # others to document
        "installer.companies",
        "networks",
        "system.networks",
        "networks.wifi_security_types",
        "meters.readings",
        "system.testing",
        "system.networks.conn_tests",
        "networks.wifi_scan",
        "meters.serial.verify",
        "customer.registration.skip",
        "customer.registration.emailed",
        "customer.registration.legal",
        "sitemaster.run_for_commissioning",
        "logging",
        "networks.id.enable",
        "networks.id.disable",
    }
)

MODERN_ONLY_ROUTES = frozenset(
    {
        "system_status",
        "meters.site",
        "meters.solar",
        "meters.status",
        "meters.serial.cts",
        "solar_powerwall",
        "troubleshooting.problems",
        "v2.islanding.mode",
        "devices.vitals",
        "auth.toggle.supported",
        "autoconfig.status",
        "legal.radio",
        "networks.access_points",
        "networks.client_protocols",
        "powerwalls.phase_usages",
        "powerwalls.pvi_sub_package_numbers",
        "synchrometer.ct_voltage_references",
        "synchrometer.ct_voltage_references.options",
        "system.networks.ping_test",
        "password.change",
    }
)
"""What 20.x-24.x firmware added (captures in the research notes)."""

GONE_BY_21 = frozenset(
    {"site_info.grid_codes", "system.networks", "customer.registration.skip", "customer.registration.emailed"}
)
"""Wizard endpoints that answer 404 on 21.x gateways (research notes, vls29)."""

MODERN_ROUTES = (SEED_ROUTES - GONE_BY_21) | MODERN_ONLY_ROUTES
MODERN_OPEN_ROUTES = frozenset({"status", "login.Basic"})
"""Since 20.49 every /api/ endpoint needs a session except these."""
