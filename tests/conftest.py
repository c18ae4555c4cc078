"""Shared fixtures for the project's own tests: an in-process emulator behind Starlette's TestClient."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from tests.support.app import FakeMonotonic
from tests.support.paths import ROOT


@pytest.fixture(scope="session", autouse=True)
def _collect_garbage_before_the_session_ends() -> Iterator[None]:
    """One last collection while a test is still running, so a leak in a reference cycle still fails the run.

    pyproject makes a ResourceWarning an error; pytest reports one raised in a __del__ in the test that is
    running when the object is collected. An object in a cycle waits for the garbage collector, and if it has
    not run by the end, pytest reports it after the last test -- where an xdist worker loses it. Collected here,
    it fails the last test's teardown instead, naming the object.
    """
    yield
    gc.collect()


@pytest.fixture
def fake_time() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def make_client(fake_time: FakeMonotonic) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**options: Any) -> TestClient:
        options.setdefault("firmware", "1.15.0")
        options.setdefault("paused", True)
        gateway = build_gateway(EmulatorOptions(**options), monotonic=fake_time)
        client = TestClient(create_app(gateway), raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A 1.15.0 gateway, paused at 06:00 local on 1 July 2026."""
    return make_client()


STACKS = {"fast": ("httptools", "uvloop"), "h11": ("h11", "asyncio")}


class Served:
    """One HTTP stack a transport test runs on: the in-thread servers' default, and `serve`'s flags for it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.http, self.loop = STACKS[name]
        self.flags = ["--http", self.http, "--event-loop", self.loop]


@pytest.fixture(params=sorted(STACKS))
def stack(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Served:
    """Run the test on each stack: httptools + uvloop (the default) and h11 + asyncio (the fallback)."""
    from emulator.serving import stack as stacks

    served = Served(request.param)
    monkeypatch.setattr(stacks, "DEFAULT", (served.http, served.loop))
    return served


# The fast tier, `python -m pytest -m "not slow" -n 2` (under a minute on 2 cores): everything but what starts
# processes, browsers or child pytest runs, or draws many examples. Whole modules by path, single tests by
# module path and function name (every parametrization); tests/unit/test_tiers.py checks each names a test.
SLOW_MODULES = {
    "tests/clients/test_firmware_update.py",
    "tests/clients/test_pypowerwall_server.py",
    "tests/clients/test_pypowerwall_tedapi.py",
    "tests/clients/test_readme_example.py",
    "tests/clients/test_tedapi_v1r.py",
    "tests/clients/test_web_ui.py",
    "tests/clients/test_web_ui_token.py",
    "tests/contract_meta/test_contract_mutants.py",
    "tests/contract_meta/test_verify.py",
    "tests/contract_meta/test_verify_speeds.py",
    "tests/contract_meta/test_verify_v1r.py",
    "tests/e2e/test_cli.py",
    "tests/e2e/test_cli_authorized_key.py",
    "tests/e2e/test_compatibility_page.py",
    "tests/e2e/test_container.py",
    "tests/e2e/test_docs_site.py",
    "tests/e2e/test_field_failures_cli.py",
    "tests/e2e/test_fleet.py",
    "tests/e2e/test_logging.py",
    "tests/e2e/test_scenario_from_recording.py",
    "tests/e2e/test_scenarios_cli.py",
    "tests/e2e/test_serve_firmware_update.py",
    "tests/e2e/test_serve_imports.py",
    "tests/e2e/test_served_spec_fuzz.py",
    "tests/e2e/test_shards.py",
    "tests/e2e/test_wheel.py",
    "tests/e2e/test_workers.py",
    "tests/http/test_clock_jump_slices.py",
    "tests/http/test_differential.py",
    "tests/http/test_transport_stacks.py",
    "tests/unit/test_scenarios_bundled.py",
}
SLOW_TESTS = {
    "tests/clients/test_pytest_plugin.py::test_handle_methods_drive_the_gateway_on_every_firmware",
    "tests/clients/test_pytest_plugin.py::test_a_marker_can_start_the_gateway_on_a_bundled_scenarios_day",
    "tests/clients/test_pytest_plugin.py::test_pypowerwall_sees_a_scenarios_outage_and_restore_unfold",
    "tests/clients/test_tedapi_v1r_keys.py::test_running_takes_keys_as_pem_text_or_files_and_the_handle_mints_a_verified_one",
    "tests/e2e/test_record_replay.py::test_a_disk_that_fills_mid_recording_stops_it_with_one_line_and_a_valid_file",
    "tests/e2e/test_record_replay.py::test_ctrl_c_stops_cleanly_and_keeps_a_valid_file",
    "tests/e2e/test_record_replay.py::test_ctrl_c_stops_a_recording_waiting_on_a_gateway_that_does_not_answer",
    "tests/e2e/test_record_replay.py::test_serve_replay_from_the_command_line_over_https",
    "tests/e2e/test_record_replay_tedapi.py::test_pypowerwall_in_full_tedapi_mode_reads_a_replayed_powerwall_3_as_it_read_the_live_one",
    "tests/http/test_api_1_15.py::test_same_seed_start_and_requests_give_the_same_answers",
    "tests/http/test_control_api.py::test_no_answer_carries_a_negative_zero",
    "tests/http/test_docs.py::test_the_served_spec_is_this_firmwares_api_and_nothing_else",
    "tests/http/test_faults.py::test_a_time_window_bounds_a_rule",
    "tests/http/test_faults.py::test_probabilistic_faults_repeat_under_the_same_seed",
    "tests/http/test_hostile_bodies.py::test_hostile_bodies_are_refused_without_5xx_traceback_or_state_change",
    "tests/http/test_hostile_inputs.py::test_hostile_scenario_yaml_is_one_line_exit_2_in_bounded_memory",
    "tests/http/test_hostile_network.py::test_serve_with_a_control_token_says_so_in_the_banner_and_requires_it",
    "tests/http/test_hostile_network.py::test_a_signal_stops_serve_promptly_while_a_latency_fault_holds_a_request",
    "tests/http/test_hostile_network.py::test_half_open_clients_past_the_file_limit_cost_one_log_line_not_a_flood",
    "tests/http/test_schemathesis.py::test_firmware_1_15_0",
    "tests/http/test_schemathesis.py::test_firmware_24_4_0",
    "tests/http/test_tedapi_v1r_keys.py::test_a_key_goes_pending_then_verified_by_the_presence_proof_inside_its_window",
    "tests/http/test_tedapi_v1r_keys.py::test_a_window_that_passes_leaves_the_key_timed_out_and_adding_it_again_reopens_it",
    "tests/unit/test_extras.py::test_a_run_without_tqdm_still_reports",
    "tests/unit/test_import_cycles.py::test_emulator_and_contract_tests_have_no_import_cycle_at_all",
    "tests/unit/test_model.py::test_battery_does_not_discharge_below_reserve_on_grid",
    "tests/unit/test_scenarios_format.py::test_a_long_plain_scenario_loads_because_only_what_aliases_add_counts_against_their_budget",
    "tests/unit/test_scenarios_runner.py::test_a_full_day_runs_in_well_under_a_few_seconds",
    "tests/http/test_api_1_15.py::test_bodies_carry_the_seed_quirks",
    "tests/http/test_scenarios_live.py::test_pause_and_advance_still_drive_a_loaded_scenario",
    "tests/http/test_hot_path.py::test_writes_and_clock_jumps_act_at_once_whatever_the_speed",
    "tests/unit/test_scenarios_format.py::test_the_documented_scenario_loads_and_passes_as_written",
    "tests/http/test_sessions_expire.py::test_the_session_lifetime_option",
    "tests/http/test_sessions_expire.py::test_a_session_ends_at_its_lifetime_with_the_firmwares_expired_token_answer",
    "tests/http/test_schemathesis.py::test_login_firmware_1_15_0",
    "tests/http/test_schemathesis.py::test_login_firmware_24_4_0",
    "tests/http/test_docs.py::test_the_served_security_schemes_say_how_this_firmware_refuses_a_missing_session",
    "tests/http/test_docs.py::test_the_served_spec_tags_what_a_fuzzer_must_leave_out",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.relative_to(ROOT).as_posix()
        name = getattr(item, "originalname", item.name)
        if path in SLOW_MODULES or f"{path}::{name}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
