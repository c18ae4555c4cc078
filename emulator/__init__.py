"""teg-emulator: a stateful emulator of the Tesla Energy Gateway local HTTP API.

The public surface::

    import emulator
    with emulator.running(firmware="24.4.0") as gw:      # serve one, for a test or a script
        ...
    built = emulator.assemble(emulator.RunOptions(soe=15))  # or the parts: gateway, ASGI app, TLS
    built.app, built.gateway

:class:`RunOptions` is the one options type: ``running()``, the pytest marker and ``teg-emulator serve``
all take its fields. Everything a gateway is built from below it (device settings, site configuration,
the sim clock) is derived from those options and is not part of the public surface.

Names are imported on first use (PEP 562), so that ``import emulator`` -- which
pytest does for the installed plugin in every run of a user's venv -- costs
next to nothing until something is actually used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator._lazy import lazy_names
from emulator._version import __version__

if TYPE_CHECKING:
    from emulator.device.snapshot import Operation
    from emulator.serving.app import create_app
    from emulator.serving.assembly import Assembly, assemble
    from emulator.serving.options import DEFAULT_FIRMWARE, RunOptions
    from emulator.testing import Emulator, EmulatorFailed, running

_WHERE = {
    "Assembly": "emulator.serving.assembly",
    "DEFAULT_FIRMWARE": "emulator.serving.options",
    "Emulator": "emulator.testing",
    "EmulatorFailed": "emulator.testing",
    "Operation": "emulator.device.snapshot",
    "RunOptions": "emulator.serving.options",
    "assemble": "emulator.serving.assembly",
    "create_app": "emulator.serving.app",
    "running": "emulator.testing",
}

__all__ = [
    "DEFAULT_FIRMWARE",
    "Assembly",
    "Emulator",
    "EmulatorFailed",
    "Operation",
    "RunOptions",
    "__version__",
    "assemble",
    "create_app",
    "running",
]

__getattr__ = lazy_names(__name__, _WHERE, globals())
