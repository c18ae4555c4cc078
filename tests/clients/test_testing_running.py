"""emulator.running(): one core for any framework -- context manager, decorator, start/stop -- and its checks."""

from __future__ import annotations

import httpx
import pytest

import emulator
from emulator import EmulatorFailed, running
from emulator.device.snapshot import Snapshot

pytest_plugins = ["pytester"]


def test_running_as_a_context_manager_serves_24_4_over_https_and_stops_after():
    with running(speed=0) as gw:
        assert gw.firmware == "24.4.0" and gw.url.startswith("https://")
        assert httpx.get(gw.url + "/api/status", verify=False).json()["version"].startswith("24.4.0")
        url = gw.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/api/status", verify=False, timeout=2)


def test_running_as_a_decorator_passes_a_fresh_gateway_per_call():
    seen = []

    @running(firmware="1.15.0", soe=42, speed=0)
    def poll(label, gw):
        seen.append((label, gw.firmware, round(httpx.get(gw.url + "/api/system_status/soe").json()["percentage"])))
        return gw.port

    first, second = poll("a"), poll("b")
    assert seen == [("a", "1.15.0", 42), ("b", "1.15.0", 42)] and first != second


def test_running_with_start_and_stop():
    gw = emulator.running(firmware="1.15.0", grid="down", speed=0).start()
    try:
        assert gw.state()["grid"]["status"] == "SystemIslandedActive"
    finally:
        gw.stop()
    gw.stop()  # idempotent


def test_an_unknown_option_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="unknown option.*powerwall; valid: firmware, scenario, powerwalls"):
        running(powerwall=2)


def test_assert_requested_counts_and_lists_near_misses_on_failure():
    with running(firmware="1.15.0", speed=0) as gw:
        httpx.get(gw.url + "/api/meters/aggregates")
        httpx.get(gw.url + "/api/meters/aggregates")
        httpx.post(gw.url + "/api/status", json={})
        gw.assert_requested("GET", "/api/meters/aggregates", count=2)
        gw.assert_requested("get", "/api/meters/*")
        with pytest.raises(AssertionError) as failure:
            gw.assert_requested("GET", "/api/meters/aggregate")
        message = str(failure.value)
        assert "expected GET /api/meters/aggregate at least once, saw it 0 time(s)" in message
        assert "near miss: GET /api/meters/aggregates -> 200" in message
        with pytest.raises(AssertionError, match=r"near miss: POST /api/status -> 405"):
            gw.assert_requested("GET", "/api/status", count=1)
        with pytest.raises(AssertionError, match=r"saw it 2 time\(s\)"):
            gw.assert_requested("GET", "/api/meters/aggregates", count=1)


def _break(gw: emulator.Emulator) -> None:
    """Make the gateway raise as a bug would (monkeypatching the in-process object the handle exposes)."""

    def broken() -> Snapshot:
        raise RuntimeError("bug in the double")

    gw.gateway.snapshot = broken  # type: ignore[method-assign]  # a method replaced on purpose


def test_leaving_the_block_fails_when_the_emulator_itself_raised():
    with pytest.raises(EmulatorFailed, match=r"GET /api/meters/aggregates raised RuntimeError\('bug in the double'\)"):
        with running(firmware="1.15.0", speed=0) as gw:
            _break(gw)
            assert httpx.get(gw.url + "/api/meters/aggregates").status_code == 500


def test_an_injected_500_is_not_the_emulators_failure():
    with running(firmware="1.15.0", speed=0) as gw:
        gw.fault("/api/meters/aggregates", "status", status=500, count=1)
        assert httpx.get(gw.url + "/api/meters/aggregates").status_code == 500
    # leaving the block did not raise


def test_the_fixture_fails_the_test_at_teardown_when_the_emulator_raised(pytester):
    pytester.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.teg_emulator(firmware="1.15.0", speed=0)
        def test_client(teg_emulator):
            def broken():
                raise RuntimeError("bug in the double")
            teg_emulator.gateway.snapshot = broken
            httpx.get(teg_emulator.url + "/api/meters/aggregates")  # the client under test shrugs off a 500
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*EmulatorFailed: the emulator itself failed*", "*raised RuntimeError*"])
