"""The mutants of TEDAPI v1r (a Powerwall 3 on 25.10.1): its signature checks broken, its commands acknowledged
but not carried out, refused where clients need them acknowledged, or answered wrong.

Each changes a request (tests/support/v1r_mutants.py) or an answer (tests/support/v1r_replies.py); the
contract suite must fail on the v1r check that names the fault (tests/contract_meta/test_contract_mutants.py).
"""

from __future__ import annotations

from tests.support import v1r_mutants, v1r_replies
from tests.support.mutant import Mutant


def v1r_check(name: str, module: str = "test_tedapi_v1r") -> str:
    """A check of TEDAPI v1r (contract_tests/test_tedapi_v1r.py: signatures and config.json)."""
    return f"{module}.py::{name}[*]"


def v1r_control_check(name: str) -> str:
    """A check of a TEDAPI v1r command (contract_tests/test_tedapi_v1r_controls.py)."""
    return v1r_check(name, "test_tedapi_v1r_controls")


def v1r_key_check(name: str) -> str:
    """A check of TEDAPI v1r's key table (contract_tests/test_tedapi_v1r_keys.py)."""
    return v1r_check(name, "test_tedapi_v1r_keys")


V1R_MUTANTS = [
    # TEDAPI v1r's signature checks, each broken as tests/support/v1r_mutants.py says.
    Mutant(
        "v1r accepts a bad signature",
        "25.10.1",
        v1r=v1r_mutants.BAD_SIGNATURE,
        caught_by=(v1r_check("test_v1r_refuses_a_bad_signature"),),
    ),
    Mutant(
        "v1r ignores the expiry",
        "25.10.1",
        v1r=v1r_mutants.EXPIRY,
        caught_by=(v1r_check("test_v1r_refuses_an_expired_request"), v1r_check("test_v1r_refuses_an_expiry_too*")),
    ),
    Mutant(
        "v1r takes the DIN the request names, not its own",
        "25.10.1",
        v1r=v1r_mutants.DIN,
        caught_by=(v1r_check("test_v1r_refuses_a_signature_for_another_din"),),
    ),
    Mutant(
        "v1r answers an unverified key with data",
        "25.10.1",
        v1r=v1r_mutants.UNVERIFIED,
        caught_by=(v1r_check("test_v1r_answers_an_unverified_key_not_verified"),),
        says="not 'client authorization not verified'",
    ),
    Mutant(
        "v1r takes a config.json write with a stale hash",
        "25.10.1",
        v1r=v1r_mutants.STALE_HASH,
        caught_by=(v1r_check("test_v1r_config_write_with_a_stale_hash_is_refused_and_changes_nothing"),),
    ),
    # TEDAPI v1r's commands: acknowledged but not carried out, or answered wrong (v1r_mutants.py, v1r_replies.py).
    Mutant(
        "v1r acknowledges a manual backup and does not list it",
        "25.10.1",
        v1r_reply=v1r_replies.BACKUP_UNLISTED,
        caught_by=(v1r_control_check("test_v1r_a_manual_backup_is_listed_as_the_client_stamped_it_until_cancelled"),),
        says="is not listed",
    ),
    Mutant(
        "v1r lists a manual backup's start on its own clock, not the client's",
        "25.10.1",
        v1r_reply=v1r_replies.BACKUP_ON_ITS_CLOCK,
        caught_by=(v1r_control_check("test_v1r_a_manual_backup_is_listed_as_the_client_stamped_it_until_cancelled"),),
        says="the client stamped",
    ),
    Mutant(
        "v1r does not answer the backup events",
        "25.10.1",
        v1r_reply=v1r_replies.EVENTS_UNANSWERED,
        caught_by=(v1r_control_check("test_v1r_backup_events_are_answered"),),
        says="without its acknowledgement",
    ),
    Mutant(
        "v1r refuses a manual backup cancel with nothing scheduled",
        "25.10.1",
        v1r=v1r_mutants.CANCEL_NOTHING_REFUSED,
        caught_by=(v1r_control_check("test_v1r_cancelling_no_manual_backup_is_acknowledged"),),
        says="was refused",
    ),
    Mutant(
        "v1r refuses a resume with no setpoint active",
        "25.10.1",
        v1r=v1r_mutants.RESUME_NOTHING_REFUSED,
        caught_by=(v1r_control_check("test_v1r_a_battery_setpoint_and_its_release_are_acknowledged"),),
        says="was refused",
    ),
    Mutant(
        "v1r acknowledges a battery setpoint and does not act on it",
        "25.10.1",
        v1r=v1r_mutants.SETPOINT_IGNORED,
        caught_by=(v1r_control_check("test_v1r_a_battery_setpoint_holds_the_battery_until_released"),),
        says="holding a 0 W setpoint",
    ),
    Mutant(
        "v1r resume does not release the battery setpoint",
        "25.10.1",
        v1r=v1r_mutants.RESUME_KEEPS,
        caught_by=(v1r_control_check("test_v1r_a_battery_setpoint_holds_the_battery_until_released"),),
        says="resume",
    ),
    Mutant(
        "v1r acknowledges island mode and does not island",
        "25.10.1",
        v1r=v1r_mutants.ISLAND_NOT_ACTUATED,
        caught_by=(v1r_control_check("test_v1r_island_mode_takes_the_site_off_the_grid_and_back"),),
        says="islanding (SystemIslandedActive)",
    ),
    Mutant(
        "v1r acknowledges a black start and stays on the grid",
        "25.10.1",
        v1r_reply=v1r_replies.BLACK_START_UNDONE,
        caught_by=(v1r_control_check("test_v1r_a_black_start_islands_the_site_until_reconnected"),),
        says="after the black start was accepted",
    ),
    Mutant(
        "v1r never counts a calibration delay",
        "25.10.1",
        v1r_reply=v1r_replies.CALIBRATION_UNCOUNTED,
        caught_by=(v1r_control_check("test_v1r_a_calibration_delay_is_counted_and_runs"),),
        says="was not counted",
    ),
    Mutant(
        "v1r counts more calibration delays left than its maximum",
        "25.10.1",
        v1r_reply=v1r_replies.CALIBRATION_OVER,
        caught_by=(v1r_control_check("test_v1r_calibration_delay_status_counts_within_its_maximum"),),
    ),
    Mutant(
        "v1r lists the suite's verified key as pending",
        "25.10.1",
        v1r_reply=v1r_replies.KEYS_PENDING,
        caught_by=(v1r_key_check("test_v1r_lists_the_suites_key_verified_with_the_documented_record_fields"),),
    ),
    Mutant(
        "v1r lists a key registered but not verified as verified",
        "25.10.1",
        v1r_reply=v1r_replies.KEYS_VERIFIED,
        caught_by=(v1r_key_check("test_v1r_lists_an_unverified_key_pending"),),
    ),
    Mutant(
        "v1r acknowledges a key's removal and keeps the key",
        "25.10.1",
        v1r=v1r_mutants.KEY_KEPT,
        caught_by=(v1r_key_check("test_v1r_a_removed_key_leaves_the_list_and_is_locked_out"),),
        says="still listed",
    ),
]
