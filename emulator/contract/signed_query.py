"""The TEDAPI's signed status query: a fact of the wire that only Tesla can make.

A gateway answers a GraphQL query only with Tesla's signature of its text. The
recorder (to record a real gateway's status) and the contract suite (to read a
real Powerwall 3's status) both send the pre-signed DeviceControllerQuery that
pypowerwall ships as data. Read here, in the contract layer both may use, so the
suite still imports nothing of the emulator's own code and the file is read one way.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SignedQuery:
    text: str
    signature: bytes
    variables: str = "{}"


def status_query() -> SignedQuery | None:
    """pypowerwall's pre-signed DeviceControllerQuery (data it ships, not its code), or None without it."""
    spec = importlib.util.find_spec("pypowerwall")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "tedapi" / "queries" / "V2024_06.json"
    try:
        entry = json.loads(path.read_text("utf-8"))["device_controller_basic"]
        return SignedQuery(str(entry["text"]), bytes.fromhex(entry["code"]), str(entry.get("b_value") or "{}"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
