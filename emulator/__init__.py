"""teg-emulator: a stateful emulator of the Tesla Energy Gateway local HTTP API.

The public surface::

    import emulator
    with emulator.running(firmware="24.4.0") as gw:   # serve one, for a test or a script
        ...
    app = emulator.create_app(emulator.build_gateway(emulator.EmulatorOptions()))  # or build the parts

Names are imported on first use (PEP 562), so that ``import emulator`` -- which
pytest does for the installed plugin in every run of a user's venv -- costs
next to nothing until something is actually used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator._lazy import lazy_names
from emulator._version import __version__

if TYPE_CHECKING:
    from emulator.device.clock import SimClock
    from emulator.device.factory import EmulatorOptions, build_gateway
    from emulator.device.gateway import Gateway, GatewaySettings
    from emulator.device.snapshot import Operation
    from emulator.model import SiteConfig
    from emulator.serving.app import create_app
    from emulator.serving.options import RunOptions
    from emulator.testing import Emulator, EmulatorFailed, running

_WHERE = {
    "Emulator": "emulator.testing",
    "EmulatorFailed": "emulator.testing",
    "EmulatorOptions": "emulator.device.factory",
    "Gateway": "emulator.device.gateway",
    "GatewaySettings": "emulator.device.gateway",
    "Operation": "emulator.device.snapshot",
    "RunOptions": "emulator.serving.options",
    "SimClock": "emulator.device.clock",
    "SiteConfig": "emulator.model",
    "build_gateway": "emulator.device.factory",
    "create_app": "emulator.serving.app",
    "running": "emulator.testing",
}

__all__ = [
    "Emulator",
    "EmulatorFailed",
    "EmulatorOptions",
    "Gateway",
    "GatewaySettings",
    "Operation",
    "RunOptions",
    "SimClock",
    "SiteConfig",
    "__version__",
    "build_gateway",
    "create_app",
    "running",
]

__getattr__ = lazy_names(__name__, _WHERE, globals())
