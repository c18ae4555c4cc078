"""Optional dependencies: what needs ``teg-emulator[plot]``, and the one line that says so.

matplotlib (most of a venv's size) draws ``scenario run --plot``; tqdm draws
progress bars. Neither is needed to serve, test or record, so they are an
extra; without them --plot is refused with a hint and the bars do not appear.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PLOT_HINT = "--plot needs matplotlib: pip install 'teg-emulator[plot]' (in a clone: pip install -e '.[plot]')"


def optional(name: str) -> ModuleType | None:
    """The module, or None when the extra that brings it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
