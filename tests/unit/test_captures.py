"""Every body captured from a real gateway validates against the contract.

The captures are other people's data: they are read from ../shared/real-responses
beside the repository (or $TEG_REAL_RESPONSES), never copied into it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from emulator import contract
from tests.support.paths import ROOT

CAPTURES = Path(os.environ.get("TEG_REAL_RESPONSES", ROOT.parent / "shared" / "real-responses"))
MANIFEST = CAPTURES / "manifest.json"
MASK = re.compile(r"<<[A-Z_]+>>")


def entries() -> list[dict]:
    if not MANIFEST.is_file():
        return []
    return json.loads(MANIFEST.read_text("utf-8"))


ENTRIES = entries()
pytestmark = pytest.mark.skipif(
    not ENTRIES, reason=f"real captures not found at {CAPTURES} (set TEG_REAL_RESPONSES to the real-responses folder)"
)


def operation_of(entry: dict) -> contract.Operation:
    path = MASK.sub("X", entry["path"])
    op = contract.operation_for(entry["method"], path)
    assert op is not None, f"{entry['method']} {entry['path']} ({entry['file']}) is not in openapi.yaml"
    return op


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_capture_validates_against_its_schema(entry):
    op = operation_of(entry)
    status = entry["status"]
    assert op.documents(status), f"{op.method} {op.path} does not document status {status}"
    name = op.response_schema(status)
    assert name is not None, f"{op.method} {op.path} {status} has no JSON body in the spec"
    body = json.loads((CAPTURES / entry["file"]).read_text("utf-8"))
    errors = sorted(contract.validator(name).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors[:5])


def test_every_captured_endpoint_is_served_by_the_emulator():
    from emulator.api import API_ROUTES

    served = {route.name for route in API_ROUTES}
    for entry in ENTRIES:
        op = operation_of(entry)
        assert op.route in served and op.firmware, f"{entry['endpoint']} is captured but not served"
