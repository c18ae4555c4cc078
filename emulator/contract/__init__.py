"""The contract as data: openapi.yaml, schemas/ and the firmware facts beside them, loaded once and shared.

The emulator validates request bodies with these schemas and builds its firmware profiles
from the facts; its tests validate every answer with them; the contract suite checks real
gateways against the same files: one source of truth for what a gateway says and does.
"""

from __future__ import annotations

from emulator.contract.facts import (
    TLS,
    Call,
    ErrorText,
    FactsError,
    FirmwareFacts,
    RateLimits,
    Throttle,
    facts_for,
    facts_for_reported,
    firmware_facts,
    forget_facts,
    parse_facts,
    register_facts,
)
from emulator.contract.files import (
    contract_root,
    load_spec,
    registry,
    schema,
    schema_branches,
    schemas_dir,
    spec_path,
    validator,
)
from emulator.contract.operations import Operation, operation_for, operations, response_schema_for

__all__ = [
    "TLS",
    "Call",
    "ErrorText",
    "FactsError",
    "FirmwareFacts",
    "Operation",
    "RateLimits",
    "Throttle",
    "contract_root",
    "facts_for",
    "facts_for_reported",
    "firmware_facts",
    "forget_facts",
    "load_spec",
    "operation_for",
    "operations",
    "parse_facts",
    "register_facts",
    "registry",
    "response_schema_for",
    "schema",
    "schema_branches",
    "schemas_dir",
    "spec_path",
    "validator",
]
