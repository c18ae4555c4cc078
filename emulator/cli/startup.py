"""What `teg-emulator` does before it loads the rest of itself: the two start-up costs a bare uvicorn app does not pay.

Measured with callgrind from exec to the first answer of ``serve`` (docs/benchmarks.md): the emulator's modules
define ~50 dataclasses, and Python 3.11 compiles each of their generated methods (``__init__``, ``__eq__``,
``__repr__``, ...: ~270 functions) from source text at every start, ~180 million instructions, a fifth of the
start; and the garbage collector walks the ~55,000 objects the imports create, over and over, while they
load, though nearly all of them live as long as the process.

* :func:`begin` (first thing in ``main``) turns the collector off, and serves dataclasses the code of their
  methods from a cache kept beside the bytecode, keyed by the SHA-256 of the exact source text dataclasses
  generates (so a changed class finds no entry and is compiled as before). Code objects are what ``exec``
  would compile from that text: the methods are the same, only their compiling is skipped. The file holds
  the interpreter's exact version and optimisation level, and is ignored whole by any other (a code object is
  only good for the interpreter that made it); an entry that does not load is compiled again. Like bytecode,
  it goes where Python puts bytecode (``__pycache__``, or under ``PYTHONPYCACHEPREFIX``), and nothing is
  written when Python may not write bytecode or the folder is read-only: the start then compiles as before.
* :func:`ready` (just before a server starts taking requests, or once a command's flags are parsed) saves what
  was compiled, freezes what the start made (``gc.freeze``: the collector never walks those objects again,
  which also keeps its full collections short while serving) and turns the collector back on.

Only the command line does this; the library (``running()``, the pytest plugin) leaves the interpreter as it is.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import gc
import hashlib
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

_VERSION = (sys.hexversion, sys.flags.optimize)  # code objects are only good for the interpreter that compiled them


def _cache_file() -> Path | None:
    """Beside this module's bytecode, wherever Python keeps it; None where it keeps none (no cache tag)."""
    try:
        bytecode = Path(importlib.util.cache_from_source(str(Path(__file__).resolve())))
    except NotImplementedError:
        return None
    return bytecode.with_name(f"dataclass-methods.{sys.implementation.cache_tag}.marshal")


_FILE = _cache_file()
_MAX_ENTRIES = 4000  # a cache that grew past this (many edits) starts over with what the current run used


class _MethodCode:
    """``exec`` for dataclasses' generated source: cached code objects by the text's digest."""

    def __init__(self, stored: dict[bytes, bytes]) -> None:
        self.stored = stored
        self.used: dict[bytes, bytes] = {}
        self.compiled = False

    def __call__(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        builtins.exec(self._code(source) if isinstance(source, str) else source, globals, locals)

    def _code(self, source: str) -> CodeType:
        key = hashlib.sha256(source.encode("utf-8")).digest()
        blob = self.stored.get(key)
        if blob is not None:
            try:
                code = marshal.loads(blob)
            except (ValueError, EOFError, TypeError):
                code = None
            if isinstance(code, CodeType):
                self.used[key] = blob
                return code
        code = compile(source, "<string>", "exec", dont_inherit=True)  # what exec(source) compiles in dataclasses
        self.used[key] = marshal.dumps(code)
        self.compiled = True
        return code

    def save(self) -> None:
        if not self.compiled or sys.dont_write_bytecode or _FILE is None:
            return
        kept = {**self.stored, **self.used} if len(self.stored) + len(self.used) <= _MAX_ENTRIES else self.used
        temporary = _FILE.with_name(f"{_FILE.name}.{os.getpid()}.tmp")
        try:
            _FILE.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps((_VERSION, kept)))
            os.replace(temporary, _FILE)  # whole or not at all, also with processes starting side by side
        except OSError:
            with contextlib.suppress(OSError):  # e.g. the folder is not one: nothing to tidy
                temporary.unlink(missing_ok=True)
        self.stored, self.compiled = kept, False


_begun = False
_installed: _MethodCode | None = None  # None after begin(): dataclasses' exec was not the builtin's
_collecting = True  # whether the collector was on when begin() turned it off


def _stored() -> dict[bytes, bytes]:
    """The cache as saved by this very interpreter; empty when missing, unreadable, damaged or another's."""
    if _FILE is None:
        return {}
    try:
        version, entries = marshal.loads(_FILE.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return entries if version == _VERSION and isinstance(entries, dict) else {}


def begin() -> None:
    """Before the imports: no collections while they load, and dataclass methods from the cache."""
    global _begun, _installed, _collecting
    if _begun:
        return
    _begun, _collecting = True, gc.isenabled()
    gc.disable()
    if "exec" not in vars(dataclasses):  # dataclasses calls exec() by its builtin name
        _installed = _MethodCode(_stored())
        dataclasses.exec = _installed  # type: ignore[attr-defined]  # a module global shadows the builtin


def ready(*, serving: bool = False) -> None:
    """The start is over: save what was compiled, and collect again; ``serving``: freeze what the start made first.

    Idempotent, and a no-op without :func:`begin`. Freezing is for a server process only: frozen objects are
    never collected, which a short command (or a test calling ``main``) has no reason to give up.
    """
    global _begun, _installed
    if not _begun:
        return
    installed, _begun, _installed = _installed, False, None
    try:
        if installed is not None:
            if vars(dataclasses).get("exec") is installed:
                del dataclasses.exec  # type: ignore[attr-defined]  # later imports compile their dataclasses as usual
            installed.save()
    finally:  # whatever saving met, the collector runs again
        if serving:
            gc.freeze()
        if _collecting:
            gc.enable()
