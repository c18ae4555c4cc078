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
    return signed_queries().get("device_controller_basic")


def signed_queries() -> dict[str, SignedQuery]:
    """Every query pypowerwall ships pre-signed, by its name there (empty without pypowerwall).

    The status query above, the full device-controller query and the Powerwall 3 components query: the
    only GraphQL a gateway runs, since no one else can sign one (the schemathesis hooks draw from them).
    """
    spec = importlib.util.find_spec("pypowerwall")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "tedapi" / "queries" / "V2024_06.json"
    try:
        entries = json.loads(path.read_text("utf-8"))
        return {
            str(name): SignedQuery(str(e["text"]), bytes.fromhex(e["code"]), str(e.get("b_value") or "{}"))
            for name, e in entries.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
