"""teg-emulator: a stateful emulator of the Tesla Energy Gateway local HTTP API.

The public surface: build a gateway from options (or from its parts) and
serve it as an ASGI app.
"""

from emulator.app import create_app
from emulator.clock import SimClock
from emulator.factory import EmulatorOptions, build_gateway
from emulator.gateway import Gateway, GatewaySettings, Operation
from emulator.model import SiteConfig

__all__ = [
    "EmulatorOptions",
    "Gateway",
    "GatewaySettings",
    "Operation",
    "SimClock",
    "SiteConfig",
    "build_gateway",
    "create_app",
]
