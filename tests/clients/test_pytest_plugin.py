"""The teg_emulator fixture, used the way a client author would use it."""

from __future__ import annotations

import httpx
import pytest

# Imported here, before any pytester run: pytester drops the modules an in-process run imports, and a second
# import of cryptography's `ec` (via trustme, when the fixture makes a certificate) makes a new EllipticCurve
# class that cryptography's Rust core, loaded once, refuses ("curve must be an EllipticCurve instance").
# Without it the HTTPS firmwares' runs below failed whenever no earlier test in the process had made a certificate.
import trustme  # noqa: F401

from emulator.firmware import PROFILES

pytest_plugins = ["pytester"]


def test_a_bare_fixture_serves_24_4_over_https_as_todays_clients_expect(teg_emulator):
    state = teg_emulator.state()
    assert state["firmware"] == "24.4.0" and teg_emulator.url.startswith("https://127.0.0.1:")
    assert teg_emulator.host == f"127.0.0.1:{teg_emulator.port}"
    assert httpx.get(teg_emulator.url + "/api/status", verify=False).status_code == 200


@pytest.mark.teg_emulator(firmware="1.15.0", speed=0)
def test_firmware_1_15_is_one_option_away_and_serves_plain_http(teg_emulator):
    state = teg_emulator.state()
    assert state["firmware"] == "1.15.0" and teg_emulator.url.startswith("http://127.0.0.1:")
    assert httpx.get(teg_emulator.url + "/api/system_status/soe").json()["percentage"] == pytest.approx(
        state["soe_pct"], abs=1e-6
    )


@pytest.mark.teg_emulator(firmware="24.4.0", powerwalls=2, soe=15, grid="down", speed=0)
def test_the_marker_configures_firmware_batteries_soe_grid_and_clock(teg_emulator):
    state = teg_emulator.state()
    assert teg_emulator.url.startswith("https://") and teg_emulator.firmware == "24.4.0"
    assert state["powerwalls"] == 2 and state["soe_pct"] == pytest.approx(15)
    assert state["grid"]["status"] == "SystemIslandedActive" and state["paused"] is True


@pytest.mark.parametrize("firmware", sorted(PROFILES))
def test_handle_methods_drive_the_gateway_on_every_firmware(pytester, firmware):
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.teg_emulator(firmware="{firmware}", speed=0)
        def test_my_client(teg_emulator):
            teg_emulator.set_load(3000)
            teg_emulator.set_solar(0)
            teg_emulator.set_soe(80)
            state = teg_emulator.advance(600)
            assert state["power_w"]["load"] == 3000 and state["power_w"]["solar"] == 0
            assert state["soe_pct"] < 80
            assert teg_emulator.set_grid(False)["grid"]["utility_up"] is False
            assert teg_emulator.stop_sitemaster()["sitemaster"]["running"] is False
            assert teg_emulator.run_sitemaster()["sitemaster"]["running"] is True
            assert teg_emulator.set_operation(mode="backup", reserve=50)["operation"]["mode"] == "backup"
            assert teg_emulator.set_speed(60)["speed"] == 60
            assert teg_emulator.reset()["soe_pct"] != 80
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_each_test_gets_fresh_state(pytester):
    pytester.makepyfile(
        """
        def test_first(teg_emulator):
            teg_emulator.set_soe(5)
            teg_emulator.fault("/api/meters/aggregates", "status", preset="config_busy")

        def test_second(teg_emulator):
            assert teg_emulator.state()["soe_pct"] != 5
            assert teg_emulator.requests() == []
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_an_unknown_marker_option_fails_at_collection_with_a_clear_message(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.teg_emulator(powerwall=2)
        def test_typo(teg_emulator):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*teg_emulator got powerwall; valid options: firmware, scenario, powerwalls*"])


def test_a_bad_marker_value_fails_the_test_clearly(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.teg_emulator(grid="sideways")
        def test_bad(teg_emulator):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*grid must be 'up' or 'down'*"])


@pytest.mark.parametrize("teg_emulator", [{"firmware": "24.4.0", "tls": False}], indirect=True)
def test_the_fixture_takes_indirect_parameters(teg_emulator):
    assert teg_emulator.url.startswith("http://") and teg_emulator.firmware == "24.4.0"


def test_the_session_fixture_is_shared(teg_emulator_session):
    assert teg_emulator_session.reset()["firmware"] == "24.4.0"


@pytest.mark.teg_emulator(scenario="evening-outage", speed=0)
def test_a_marker_can_start_the_gateway_on_a_bundled_scenarios_day(teg_emulator):
    state = teg_emulator.state()  # the scenario pins no firmware: the fixture's default serves it
    assert state["sim_time"].startswith("2026-07-15T00:00") and state["firmware"] == "24.4.0"
    teg_emulator.advance(18.5 * 3600 + 60)  # past the scenario's 18:30 grid failure
    assert teg_emulator.state()["grid"]["status"] == "SystemIslandedActive"
    assert teg_emulator.control("GET", "scenario")["fired_events"][0]["label"] == "grid fails"


@pytest.mark.teg_emulator(firmware="24.4.0", speed=0)
def test_load_scenario_refuses_a_day_made_for_other_firmware(teg_emulator):
    with pytest.raises(AssertionError, match="409"):
        teg_emulator.load_scenario("login-stops-sitemaster")
    teg_emulator.load_scenario("two-powerwalls-grid-restore")
    assert teg_emulator.state()["powerwalls"] == 2


@pytest.mark.teg_emulator(firmware="24.4.0", scenario="two-powerwalls-grid-restore", speed=0)
def test_pypowerwall_sees_a_scenarios_outage_and_restore_unfold(teg_emulator, tmp_path):
    import pypowerwall

    pw = pypowerwall.Powerwall(
        teg_emulator.host, password=teg_emulator.password, cachefile=str(tmp_path / ".powerwall"), pwcacheexpire=0
    )
    assert pw.grid_status() == "UP"
    teg_emulator.advance(17.5 * 3600 + 120)  # the scenario's grid fails at 17:30
    assert pw.grid_status() == "DOWN" and pw.site() == 0
    teg_emulator.advance(2.5 * 3600)  # ... and is back at 20:00
    assert pw.grid_status() == "UP"
    fired = [e["label"] for e in teg_emulator.control("GET", "scenario")["fired_events"]]
    assert fired[0] == "grid fails" and fired[-1] == "grid back"
