"""teg-emulator: a stateful emulator of the Tesla Energy Gateway local HTTP API.

The public surface: build a gateway from options (or from its parts) and
serve it as an ASGI app.
"""

from emulator.device.clock import SimClock
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.device.gateway import Gateway, GatewaySettings, Operation
from emulator.model import SiteConfig
from emulator.serving.app import create_app

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
