"""The TEDAPI's command handlers, and the door to them: importing :func:`dispatch` from here loads every one.

One module per family of commands; each registers its handlers with
:func:`emulator.tedapi.dispatch.command`. The doors (``/tedapi/v1``, ``/tedapi/v1r``) import the table
through this package, so no command can be missing from it.
"""

from emulator.tedapi.commands import authorization, config_write, reads, teg
from emulator.tedapi.dispatch import V1, V1R, Call, Unimplemented, dispatch, per_sample, registered, site_of, writes

__all__ = [
    "V1",
    "V1R",
    "Call",
    "Unimplemented",
    "authorization",
    "config_write",
    "dispatch",
    "per_sample",
    "reads",
    "registered",
    "site_of",
    "teg",
    "writes",
]
