"""How an emulated gateway starts when nobody says otherwise: one place for each default.

The options a user gives (``RunOptions``), the gateway's settings, a scenario without an initial
state and a replay all start from these, so ``serve``, the fixture, ``running()``, fleets and the
scenario runner cannot drift apart again.
"""

from __future__ import annotations

DEFAULT_FIRMWARE = "24.4.0"
"""The firmware served when none is chosen (and a scenario names none): what today's clients speak --
pypowerwall, tesla-powerwall and the Tesla app log in over HTTPS with a customer password, which 1.15.0
(plain HTTP) cannot serve them. Its facts are schemas/firmware/24.4.0.yaml."""

START_SOE_PCT = 69.17
"""Charge at start, % on the API's scale (the seed's /api/system_status/soe sample)."""

GATEWAY_SERIAL = "T123456789"
"""The gateway serial when none is given (1.15.0's default password is S + serial)."""
