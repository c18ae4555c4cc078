"""Settings written and read back, every original value restored afterwards (``--allow-writes``)."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.target import CONTROL, Target

REPORT_AREA = "settings written and restored"

pytestmark = pytest.mark.writes


def _ok(response: Any, what: str) -> Any:
    assert response.status_code in (200, 202), f"{what} answered {response.status_code}: {response.text[:200]}"
    return response.json() if response.content else None


def _operation(target: Target) -> dict[str, Any]:
    operation: dict[str, Any] = _ok(target.get("/api/operation"), "GET /api/operation")
    return operation


def _write_operation(target: Target, mode: str, reserve: float) -> None:
    body = {target.facts.mode_field: mode, "backup_reserve_percent": reserve}
    _ok(target.request("POST", "/api/operation", json=body), f"POST /api/operation {body}")
    if target.facts.operation_staged:
        _ok(target.get("/api/config/completed"), "GET /api/config/completed")


@pytest.fixture
def original_operation(target: Target) -> dict[str, Any]:
    original = _operation(target)
    mode, reserve = original[target.facts.mode_field], original["backup_reserve_percent"]
    target.remember(f"operation {mode} / reserve {reserve}", lambda: _write_operation(target, mode, reserve))
    return original


@pytest.mark.serves("POST /api/operation")
def test_operation_round_trips_and_is_restored(target: Target, original_operation: dict[str, Any]) -> None:
    field = target.facts.mode_field
    reserve = original_operation["backup_reserve_percent"]
    new_reserve = reserve + 5 if reserve <= 90 else reserve - 5
    new_mode = "backup" if original_operation[field] != "backup" else "self_consumption"
    _write_operation(target, new_mode, new_reserve)
    after = _operation(target)
    assert after[field] == new_mode, f"GET /api/operation {field} is {after[field]!r} after writing {new_mode!r}"
    assert abs(after["backup_reserve_percent"] - new_reserve) < 0.01, (
        f"GET /api/operation backup_reserve_percent is {after['backup_reserve_percent']} after writing {new_reserve}"
    )
    assert target.restore_all() == []
    restored = _operation(target)
    assert (restored[field], restored["backup_reserve_percent"]) == (original_operation[field], reserve)


@pytest.mark.serves("POST /api/operation")
def test_a_reserve_outside_0_to_100_is_refused_and_changes_nothing(
    target: Target, original_operation: dict[str, Any]
) -> None:
    response = target.request("POST", "/api/operation", json={"backup_reserve_percent": 150})
    assert response.status_code == 400, f"POST /api/operation reserve 150 answered {response.status_code}"
    assert _operation(target)["backup_reserve_percent"] == original_operation["backup_reserve_percent"]


@pytest.mark.serves("POST /api/site_info/site_name")
def test_site_name_round_trips_and_is_restored(target: Target) -> None:
    original = _ok(target.get("/api/site_info/site_name"), "GET /api/site_info/site_name")["site_name"]

    def restore() -> None:
        _ok(target.request("POST", "/api/site_info/site_name", json={"site_name": original}), "restoring the site name")

    target.remember(f"site name {original!r}", restore)
    _ok(target.request("POST", "/api/site_info/site_name", json={"site_name": "Contract Suite Test"}), "POST site_name")
    assert target.get("/api/site_info/site_name").json()["site_name"] == "Contract Suite Test"
    assert target.restore_all() == []
    assert target.get("/api/site_info/site_name").json()["site_name"] == original


DISCHARGING_W = 200.0  # the battery visibly carries the house: a change of mode would show


def _battery_w(target: Target) -> float:
    return float(_ok(target.read("/api/meters/aggregates"), "GET /api/meters/aggregates")["battery"]["instant_power"])


@pytest.mark.serves("POST /api/operation")
def test_an_operation_change_takes_effect_when_the_firmware_facts_say(
    target: Target, original_operation: dict[str, Any]
) -> None:
    """Backup mode (which never discharges the battery) takes effect at GET /api/config/completed where the
    facts say operation changes are staged, and at the POST itself where they say they are not. Observable
    only while the battery discharges (evening, night); where it is not, there is nothing to see and the test
    says so."""
    if target.has(CONTROL) and _battery_w(target) < DISCHARGING_W:
        target.let_time_pass(8 * 3600)  # the emulator can wait for the evening, when the battery carries the house
    if original_operation[target.facts.mode_field] == "backup" or _battery_w(target) < DISCHARGING_W:
        pytest.skip("the battery is not discharging: a change of mode would not show")
    body = {target.facts.mode_field: "backup", "backup_reserve_percent": original_operation["backup_reserve_percent"]}
    _ok(target.request("POST", "/api/operation", json=body), f"POST /api/operation {body}")
    target.let_time_pass(60)
    after_post = _battery_w(target)
    if not target.facts.operation_staged:
        assert after_post <= 50, (
            f"battery {after_post:.0f} W a minute after POSTing backup mode: firmware {target.facts.version} "
            "applies operation changes at once (firmware facts), yet it still discharges"
        )
        return
    _ok(target.get("/api/config/completed"), "GET /api/config/completed")
    target.let_time_pass(60)
    committed = _battery_w(target)
    assert after_post >= DISCHARGING_W / 2, (
        f"battery {after_post:.0f} W right after POSTing backup mode: the change acted before GET /api/config/completed"
    )
    assert committed <= 50, f"battery {committed:.0f} W after committing backup mode: it still discharges"
