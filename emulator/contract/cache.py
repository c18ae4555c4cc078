"""Parsed and checked contract files, remembered between runs the way Python remembers bytecode.

Reading openapi.yaml and checking the firmware facts with jsonschema cost a start of `teg-emulator serve`
more than the rest of its imports together, and give the same result while the files are unchanged. Each
entry is stored as JSON in ``__pycache__`` beside this module with a digest of every byte its result
depends on; an entry whose digest differs is never used, so any edited file is read and checked again.
As with bytecode, nothing is written when Python may not write caches or the folder is read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_FOLDER = Path(__file__).resolve().parent / "__pycache__"


def digest(paths: Iterable[Path]) -> str:
    """A digest of the names and bytes of ``paths``: a changed byte anywhere gives a new digest."""
    sha = hashlib.sha256()
    for path in paths:
        content = path.read_bytes()
        sha.update(f"{path.name}\0{len(content)}\0".encode())
        sha.update(content)
    return sha.hexdigest()


def recall(name: str, key: str) -> Any | None:
    """What :func:`remember` stored under ``name`` for exactly ``key``, or None."""
    try:
        stored = json.loads((_FOLDER / f"{name}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    return stored.get("data")


def remember(name: str, key: str, data: Any) -> None:
    """Store ``data`` under ``name`` for ``key``, only when JSON gives back exactly ``data``."""
    text = json.dumps({"key": key, "data": data})
    if sys.dont_write_bytecode or json.loads(text)["data"] != data:
        return
    target = _FOLDER / f"{name}.json"
    temporary = _FOLDER / f"{name}.{os.getpid()}.tmp"
    try:
        _FOLDER.mkdir(exist_ok=True)
        temporary.write_text(text, "utf-8")
        os.replace(temporary, target)  # whole or not at all, also with processes starting side by side
    except OSError:
        temporary.unlink(missing_ok=True)
