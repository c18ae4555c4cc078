"""Injected TEDAPI v1r faults, as aiopowerwall 0.8.0 and pypowerwall 0.22.2 (v1r mode), unmodified, take them.

Each fault is a rule through the handle (``gw.fault``, the control API's POST /_emulator/faults) and gives the
reaction the client documents -- aiopowerwall's typed exceptions; pypowerwall's warning or log line and its
None or False -- and once the rule is used up (``count``) or removed, the same call works again: the client
recovers with nothing else done. The gateway's own refusals of the same kinds are tests/clients/test_tedapi_v1r.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiopowerwall.exceptions import (
    PowerwallAuthenticationError,
    PowerwallCommandError,
    PowerwallFaultError,
    PowerwallNotSupportedError,
    PowerwallProtocolError,
    PowerwallRateLimitError,
)

import emulator
from emulator.testing.keys import fingerprint_of
from tests.support.v1r_clients import Pypowerwall, aiopowerwall, powerwall3_site, pypowerwall_v1r

KEY = 0
V1R = "/tedapi/v1r"
FORBIDDEN = {"code": 403, "error": "Forbidden", "message": "bad credentials"}


def faulted_requests(gw: emulator.Emulator) -> list[str | None]:
    """The fault each POST /tedapi/v1r in the journal fired, in order (None: answered as it came)."""
    return [entry["fault"] for entry in gw.requests(path=V1R)]


@pytest.mark.parametrize(
    ("rule", "error", "match"),
    [
        ({"kind": "v1r_fault", "message_fault": "UNKNOWN_KEY_ID"}, PowerwallAuthenticationError, "not registered"),
        ({"kind": "v1r_not_verified"}, PowerwallAuthenticationError, "not verified"),
        ({"kind": "v1r_fault", "message_fault": "DECODING"}, PowerwallFaultError, "MESSAGEFAULT_ERROR_DECODING$"),
        ({"kind": "v1r_fault", "message_fault": 5}, PowerwallFaultError, "MESSAGEFAULT_ERROR_INVALID_SIGNATURE$"),
        ({"kind": "v1r_fault", "message_fault": "TIME_EXPIRED"}, PowerwallFaultError, "_TIME_EXPIRED$"),
        (
            {"kind": "v1r_fault", "message_fault": "TIME_TO_LIVE_TOO_LONG"},
            PowerwallFaultError,
            "_TIME_TO_LIVE_TOO_LONG$",
        ),
        (
            {"kind": "v1r_fault", "message_fault": "WRONG_PERSONALIZATION"},
            PowerwallFaultError,
            "_WRONG_PERSONALIZATION$",
        ),
        ({"kind": "v1r_fault", "message_fault": "BAD_PARAMETER"}, PowerwallFaultError, "_BAD_PARAMETER$"),
        ({"kind": "v1r_fault", "message_fault": "INVALID_DOMAINS"}, PowerwallFaultError, "_INVALID_DOMAINS$"),
        ({"kind": "v1r_fault", "message_fault": "TIMEOUT"}, PowerwallFaultError, "MESSAGEFAULT_ERROR_TIMEOUT$"),
        ({"kind": "status", "preset": "token_expired"}, PowerwallAuthenticationError, "rejected with 401"),
        ({"kind": "status", "status": 403, "body": FORBIDDEN}, PowerwallAuthenticationError, "rejected with 403"),
        ({"kind": "status", "preset": "rate_limited"}, PowerwallRateLimitError, r"\(status 429\)"),
        ({"kind": "status", "preset": "config_busy"}, PowerwallRateLimitError, r"\(status 503\)"),
    ],
    ids=[
        "UNKNOWN_KEY_ID",
        "not verified",
        "DECODING",
        "5 INVALID_SIGNATURE",
        "TIME_EXPIRED",
        "TIME_TO_LIVE_TOO_LONG",
        "WRONG_PERSONALIZATION",
        "BAD_PARAMETER",
        "INVALID_DOMAINS",
        "TIMEOUT",
        "401",
        "403",
        "429",
        "503",
    ],
)
def test_aiopowerwall_raises_what_it_documents_for_each_fault_and_recovers(
    rule: dict[str, Any], error: type[Exception], match: str
) -> None:
    with powerwall3_site() as gw:
        pem = gw.verified_key(KEY)
        rule_id = gw.fault(V1R, count=1, **rule)

        async def twice() -> None:
            async with aiopowerwall(gw, pem) as client:
                din = await client.connect()
                with pytest.raises(error, match=match) as raised:
                    await client.get_config()
                if isinstance(raised.value, PowerwallFaultError):
                    assert raised.value.fault == str(raised.value).removeprefix("Powerwall returned message fault: ")
                assert (await client.get_config())["vin"] == din  # the rule is used up: answered again

        asyncio.run(twice())
        assert faulted_requests(gw) == [rule_id, None]


def test_aiopowerwall_sees_unimplemented_commands_as_not_supported_and_the_rest_still_works() -> None:
    with powerwall3_site(soe=60) as gw:
        pem = gw.verified_key(KEY)
        dispatch = gw.fault(V1R, "v1r_unimplemented", command="dispatch_battery_power")
        calibration = gw.fault(V1R, "v1r_unimplemented", command="get_delay_battery_calibration_status", count=1)

        async def commands() -> None:
            async with aiopowerwall(gw, pem) as client:
                with pytest.raises(PowerwallNotSupportedError) as refused:
                    await client.dispatch_battery_power(-2000, 60)
                assert refused.value.code == 12 and refused.value.command == "dispatch_battery_power_request"
                assert gw.state()["site_controls"]["battery_setpoint"] is None  # nothing ran
                with pytest.raises(PowerwallNotSupportedError):
                    await client.get_battery_calibration_delay_status()
                assert (await client.get_battery_calibration_delay_status())["calibration_delays_left"] == 3
                with pytest.raises(PowerwallNotSupportedError):  # no count: every dispatch, until removed
                    await client.resume_battery_operation()
                await client.set_backup_reserve(40)  # other commands are answered
                gw.control("DELETE", f"faults/{dispatch}")
                await client.dispatch_battery_power(-2000, 60)
                assert gw.state()["site_controls"]["battery_setpoint"]["power_w"] == -2000.0

        asyncio.run(commands())
        assert faulted_requests(gw)[:3] == [dispatch, calibration, None]


def test_aiopowerwall_write_refused_for_a_stale_hash_changes_nothing_and_the_next_one_is_taken() -> None:
    with powerwall3_site() as gw:
        pem = gw.verified_key(KEY)
        before = gw.state()["operation"]
        stale = gw.fault(V1R, "v1r_stale_hash", count=1)

        async def writes() -> None:
            async with aiopowerwall(gw, pem) as client:
                with pytest.raises(PowerwallProtocolError, match="updateFile response missing filestore") as refused:
                    await client.set_backup_reserve(50)
                assert not isinstance(refused.value, PowerwallCommandError)  # write_config's own wording
                assert gw.state()["operation"] == before
                await client.set_backup_reserve(50)
                assert gw.state()["operation"]["backup_reserve_app_percent"] == pytest.approx(50.0)

        asyncio.run(writes())
        assert faulted_requests(gw) == [None, stale, None, None]  # read, write refused, read, write


@contextmanager
def pypowerwall_on_a_site(tmp_path: Path, **site: Any) -> Iterator[tuple[emulator.Emulator, Pypowerwall, bytes]]:
    """A Powerwall 3 site and pypowerwall in v1r mode with a verified key (its PEM given too), as a user runs it."""
    key_file = tmp_path / "tedapi_rsa_private.pem"
    with powerwall3_site(**site) as gw:
        key_file.write_bytes(gw.verified_key(KEY))
        with pypowerwall_v1r(gw, key_file) as pw:
            yield gw, pw, key_file.read_bytes()


def test_pypowerwall_warns_logs_and_answers_none_for_each_fault_then_recovers(tmp_path: Path) -> None:
    with pypowerwall_on_a_site(tmp_path) as (gw, pw, pem):
        version = pw.results(["version"])[0]
        assert version.startswith("25.10.1")

        gw.fault(V1R, "v1r_fault", message_fault="UNKNOWN_KEY_ID", count=1)
        unknown = pw.call(["version"])
        assert unknown["results"] == [None]
        assert any("UNKNOWN_KEY_ID" in w and fingerprint_of(pem) in w for w in unknown["warnings"])
        assert pw.results(["version"]) == [version]

        gw.fault(V1R, "v1r_not_verified", count=1)
        pending = pw.call(["version"])
        assert pending["results"] == [None]
        assert any("PENDING_VERIFICATION" in w for w in pending["warnings"]), pending
        assert pw.results(["version"]) == [version]

        gw.fault(V1R, "v1r_fault", message_fault="INVALID_SIGNATURE", count=1)
        invalid = pw.call(["version"])
        assert invalid["results"] == [None] and invalid["warnings"] == []
        assert "v1r response fault: MESSAGEFAULT_ERROR_INVALID_SIGNATURE" in invalid["logs"], invalid
        assert pw.results(["version"]) == [version]

        gw.fault(V1R, "v1r_fault", message_fault="TIMEOUT", count=1)  # logged at debug only
        assert pw.call(["version"]) == {"results": [None], "warnings": [], "logs": []}
        assert pw.results(["version"]) == [version]

        for preset, status in (("rate_limited", 429), ("config_busy", 503)):
            gw.fault(V1R, "status", preset=preset, count=1)
            busy = pw.call(["version"])
            assert busy["results"] == [None] and f"v1r POST failed ({status})" in busy["logs"], busy
            assert pw.results(["version"]) == [version]


def test_pypowerwall_logs_in_again_and_retries_once_on_401_and_403(tmp_path: Path) -> None:
    with pypowerwall_on_a_site(tmp_path) as (gw, pw, _):
        version = pw.results(["version"])[0]
        for rule in ({"preset": "token_expired"}, {"status": 403, "body": FORBIDDEN}):
            seen = len(gw.requests())
            once = gw.fault(V1R, "status", count=1, **rule)
            retried = pw.call(["version"])
            assert retried["results"] == [version]  # signed afresh after a new login: the retry is answered
            assert any("auth error" in line for line in retried["logs"]), retried
            sent = [(e["path"], e["status"], e["fault"]) for e in gw.requests()[seen : seen + 3]]
            status = 401 if "preset" in rule else 403
            assert sent == [(V1R, status, once), ("/api/login/Basic", 200, None), (V1R, 200, None)]
            gw.fault(V1R, "status", count=2, **rule)  # the retry refused too: given up
            assert pw.results(["version"]) == [None]
            assert pw.results(["version"]) == [version]


def test_pypowerwall_reports_unimplemented_commands_and_a_stale_hash_and_recovers(tmp_path: Path) -> None:
    with pypowerwall_on_a_site(tmp_path, soe=60) as (gw, pw, _):
        before = gw.state()
        gw.fault(V1R, "v1r_unimplemented", command="dispatch_battery_power", count=1)
        refused = pw.call(["dispatch_battery_power", -2000, 30])
        assert refused["results"] == [None]
        assert any("not supported by gateway firmware" in line for line in refused["logs"]), refused
        assert gw.state()["site_controls"]["battery_setpoint"] is None
        assert pw.results(["dispatch_battery_power", -2000, 30]) == [{"power_watts": -2000.0, "duration_seconds": 30}]
        assert pw.results(["resume_battery_operation"]) == [{"resume_battery_operation": True}]

        gw.fault(V1R, "v1r_stale_hash", count=1)
        stale = pw.call(["set_reserve", 50])
        assert stale["results"] == [{"error": "Failed to write config"}]
        assert "write_config_v1r: unexpected response: common" in stale["logs"], stale  # the error_response
        assert gw.state()["operation"] == before["operation"]
        assert pw.results(["set_reserve", 50])[0] != {"error": "Failed to write config"}
        assert gw.state()["operation"]["backup_reserve_app_percent"] == pytest.approx(50.0)
