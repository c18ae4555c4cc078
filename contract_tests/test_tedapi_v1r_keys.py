"""TEDAPI v1r's authorized-client table, as aiopowerwall lists and removes keys (research section 7 and 9).

The list is a read (read tier): the key the suite signs with is there, VERIFIED, in the record a Powerwall 3
lists for every key -- customer mobile app, RSA, the customer role, verified by presence proof (pypowerwall
#354, a hardware listing) -- and a key registered but never verified is there, pending or timed out.

A removal (``--allow-writes``) is checked only with a throwaway key: the suite never removes its own (the
gateway would lock it out, and the owner with it, until a new key is registered through Tesla's cloud). On a
real gateway that key is given (``--gateway-spare-rsa-key``: registered through the cloud, as keys are added;
the run removes it for good); on the emulator its control API registers one, as the cloud would.
"""

from __future__ import annotations

import time

import pytest

from contract_tests import tedapi, v1r
from contract_tests.target import Target
from emulator.contract.v1r import SigningKey

REPORT_AREA = "TEDAPI v1r"
pytestmark = pytest.mark.serves("POST /tedapi/v1r")
# AuthorizationRecord: 1 type, 2 description, 3 key_type, 4 public_key, 5 roles, 6 state, 7 verification, 8 added_time
TYPE, KEY_TYPE, PUBLIC_KEY, ROLES, STATE, VERIFICATION, ADDED_TIME = 1, 3, 4, 5, 6, 7, 8
CUSTOMER_MOBILE_APP, RSA, CUSTOMER = 1, 1, 1
STATES = {1: "PENDING_VERIFICATION", 2: "PENDING_VERIFICATION_TIMEOUT", 3: "VERIFIED", 4: "REMOVED"}
VERIFICATIONS = {1: "PRESENCE_PROOF", 2: "BLE", 3: "SIGNED", 4: "HERMES_COMMAND"}
CLOCK_SKEW_S = 300  # a record added "in the future" by more than this is on some other clock than the wall's

Record = dict[int, list[int | bytes]]


def _listing(target: Target, key: SigningKey, din: str) -> list[Record]:
    body = tedapi.authorization_body(tedapi.LIST_CLIENTS)
    answer = v1r.command(target, key, din, body, tedapi.LIST_CLIENTS_ANSWER, "list_authorized_clients")
    return [tedapi.fields(r) for r in tedapi.fields(answer).get(1, []) if isinstance(r, bytes)]


def _record(listing: list[Record], signer: SigningKey) -> Record | None:
    """The record of ``signer``'s key (PKCS#1 DER, as listed and as a request names its signer)."""
    return next((r for r in listing if r.get(PUBLIC_KEY, [b""])[-1] == signer.public_der), None)


def _number(record: Record, field: int) -> int:
    value = record.get(field, [0])[-1]
    return value if isinstance(value, int) else -1


def test_v1r_lists_the_suites_key_verified_with_the_documented_record_fields(
    target: Target, key: SigningKey, din: str
) -> None:
    listing = _listing(target, key, din)
    record = _record(listing, key)
    assert record is not None, (
        f"the key the suite signs with ({key.fingerprint[:16]}...) is not among the {len(listing)} authorized clients"
    )
    state = _number(record, STATE)
    assert state == 3, (
        f"the suite's key is listed as {STATES.get(state, state)}, not VERIFIED (3), yet its requests are answered"
    )
    problems = []
    if _number(record, TYPE) != CUSTOMER_MOBILE_APP:
        problems.append(f"type {_number(record, TYPE)}, not 1 (CUSTOMER_MOBILE_APP)")
    if _number(record, KEY_TYPE) != RSA:
        problems.append(f"key_type {_number(record, KEY_TYPE)}, not 1 (RSA)")
    if tedapi.repeated(record.get(ROLES, [])) != [CUSTOMER]:
        problems.append(f"roles {tedapi.repeated(record.get(ROLES, []))}, not [1] (CUSTOMER)")
    if _number(record, VERIFICATION) not in VERIFICATIONS:
        problems.append(f"verification {_number(record, VERIFICATION)}, none of {VERIFICATIONS}")
    added = record.get(ADDED_TIME, [b""])[-1]
    added_s = tedapi.numbers(added).get(1, 0) if isinstance(added, bytes) else 0
    if not 0 < added_s <= time.time() + CLOCK_SKEW_S:
        problems.append(f"added_time {added_s} s: not a time before now (wall clock)")
    assert not problems, "the suite's key is listed with " + "; ".join(problems)


def test_v1r_lists_an_unverified_key_pending(target: Target, key: SigningKey, din: str, unverified: SigningKey) -> None:
    record = _record(_listing(target, key, din), unverified)
    assert record is not None, f"the key registered but not verified ({unverified.fingerprint[:16]}...) is not listed"
    state = _number(record, STATE)
    assert state in (1, 2), (
        f"a key registered but not verified is listed as {STATES.get(state, state)}, not pending (1) or timed out (2)"
    )


@pytest.mark.writes
def test_v1r_a_removed_key_leaves_the_list_and_is_locked_out(
    target: Target, key: SigningKey, din: str, spare: SigningKey
) -> None:
    assert spare.public_der != key.public_der, "the spare key is the suite's own: the suite never removes it"
    if _record(_listing(target, key, din), spare) is None:
        pytest.skip(f"the spare key ({spare.fingerprint[:16]}...) is not listed: register it again through the cloud")
    body = v1r.request(key, din, tedapi.remove_client_body(spare.public_der), command=True)
    refused = tedapi.command_error(v1r.answered(target, body, "remove_authorized_client"))
    assert refused is None, f"the removal of the spare key was refused: code {refused[0]} {refused[1]!r}"
    assert _record(_listing(target, key, din), spare) is None, "a key whose removal was acknowledged is still listed"
    answer = v1r.post(target, v1r.request(spare, din, tedapi.system_info_body()))
    assert answer.status == 200 and (answer.fault or answer.not_verified), (
        f"a request signed by the removed key was answered {answer.describe()}, not refused"
    )
