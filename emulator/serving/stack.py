"""Which HTTP stack serves: uvicorn's httptools protocol on uvloop (the default), or h11 on asyncio.

Both carry the same protections (:mod:`emulator.serving.transport`). httptools and uvloop are
dependencies of the package, but a platform without wheels for them (uvloop has none for Windows)
still serves: ``auto`` takes each where it imports and falls back to h11 / asyncio where it does
not, and the start banner says which stack runs and why.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass

HTTP_CHOICES = ("auto", "httptools", "h11")
LOOP_CHOICES = ("auto", "uvloop", "asyncio")
DEFAULT = ("auto", "auto")
"""(http, loop) when none is named: what the fixture's in-thread server uses (the project's tests set it to run
the transport tests on each stack)."""


@dataclass(frozen=True)
class Stack:
    """The HTTP stack that serves: the parser and the event loop, and what ``auto`` could not import."""

    http: str  # "httptools" or "h11"
    loop: str  # "uvloop" or "asyncio"
    missing: tuple[str, ...] = ()  # what "auto" wanted and could not import

    def protocol_class(self) -> type[asyncio.Protocol]:
        """The protected protocol class (imported here: a process loads only the stack it serves on)."""
        if self.http == "httptools":
            from emulator.serving.httptools_protocol import TrackedHttpToolsProtocol

            return TrackedHttpToolsProtocol
        from emulator.serving.h11_protocol import TrackedH11Protocol

        return TrackedH11Protocol

    def describe(self) -> str:
        """For the banner: "httptools + uvloop", with the reason when auto fell back."""
        text = f"{self.http} + {self.loop}"
        if self.missing:
            text += f" ({' and '.join(self.missing)} cannot be imported here)"
        return text


def _importable(module: str) -> bool:
    """Imported, not just found: a wheel built for another platform is found and then fails (imported
    now costs nothing extra: the stack chosen imports it anyway)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def choose(http: str | None = None, loop: str | None = None) -> Stack:
    """The stack asked for (None: DEFAULT's); ValueError (one line) when an explicit choice cannot be imported."""
    http, loop = http or DEFAULT[0], loop or DEFAULT[1]
    if http not in HTTP_CHOICES or loop not in LOOP_CHOICES:
        raise ValueError(f"unknown HTTP stack {http!r} / loop {loop!r}")
    missing: list[str] = []
    chosen = []
    for asked, fast, slow in ((http, "httptools", "h11"), (loop, "uvloop", "asyncio")):
        if asked == slow:
            chosen.append(slow)
        elif _importable(fast):
            chosen.append(fast)
        elif asked == fast:
            raise ValueError(f"{fast} cannot be imported here (pip install {fast}), so it cannot serve")
        else:  # auto
            chosen.append(slow)
            missing.append(fast)
    return Stack(chosen[0], chosen[1], tuple(missing))
