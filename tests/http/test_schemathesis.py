"""Schemathesis, from openapi.yaml, against the live emulator of each firmware: no server errors,
conforming statuses, content types and bodies; negative cases get documented 4xx answers."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import ignored_auth, not_a_server_error, positive_data_acceptance

from emulator import contract, create_app
from emulator.device import commands
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.firmware import PROFILES
from emulator.http.context import app_context

MAX_EXAMPLES = 12
# Operations whose valid-looking requests can still be refused for reasons a schema cannot state
# (an unknown serial, a wrong password, a pattern that matches no served path); each refusal is documented.
SEMANTIC_REFUSALS = {
    "/_emulator/faults",
    "/_emulator/faults/{rule_id}",
    "/_emulator/authorized_clients",  # a string that is no PEM RSA key
    "/_emulator/authorized_clients/{fingerprint}",  # a key the table does not hold
    "/_emulator/scenario",  # a name that is not a bundled scenario
    "/_emulator/firmware",  # a version this site cannot take: unknown, another hardware generation, a downgrade
    "/_emulator/rate_limits",  # switching a request limit on where the firmware states none needs its numbers
    "/api/meters/{serial}/verify",
    "/api/meters/{serial}/cts",
    "/api/networks/{id}/enable",
    "/api/networks/{id}/disable",
    "/api/solars/brands/{brand}",
    "/api/login/Basic",
    "/api/password/change",
    "/api/synchrometer/ct_voltage_references/options",  # 400 while sitemaster runs, as on 21.x
}
FAITHFUL_SERVER_ERRORS = {"/api/powerwalls/phase_usages"}  # real 21.x gateways always answer this 500


def live_schema(firmware: str):
    gateway = build_gateway(EmulatorOptions(firmware=firmware, paused=True))
    app = create_app(gateway)
    schema = schemathesis.openapi.from_path(contract.spec_path())  # file $refs resolve next to the spec
    schema.app = app
    return schema, gateway


SCHEMAS = {firmware: live_schema(firmware) for firmware in sorted(PROFILES)}


def authorize(case, gateway) -> None:
    """Give generated requests a valid session, as a logged-in client would have."""
    token = commands.login(gateway, "customer", gateway.password, None).token
    commands.run_sitemaster(gateway)  # a 1.15 login stops it; keep live data flowing
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


# 21.44.1 shares 24.4.0's routes, auth and handlers; only these answers differ (21.x body shapes, vitals)
ONLY_21_44_1 = ("get_status", "get_site_info", "get_system_status", "get_networks", "get_devices_vitals")


def make_test(firmware: str, only: tuple[str, ...] = ()):
    schema, gateway = SCHEMAS[firmware]
    app = schema.app
    ids = [
        op.operation_id
        for op in contract.operations()
        if op.serves(firmware) and not (op.fleet_only or op.replay_only) and (not only or op.operation_id in only)
    ]
    served = schema.include(operation_id_regex="^(" + "|".join(ids) + ")$").exclude(
        path_regex=r"^/_emulator/(reset|docs)"
    )

    @served.parametrize()
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def test(case):
        authorize(case, gateway)
        try:
            # ignored_auth is left to test_conformance.py, which refuses missing, forged and revoked
            # credentials on every protected operation; here the session is injected by hand.
            excluded = [ignored_auth] + ([positive_data_acceptance] if case.path in SEMANTIC_REFUSALS else [])
            excluded += [not_a_server_error] if case.path in FAITHFUL_SERVER_ERRORS else []
            case.call_and_validate(excluded_checks=excluded)
        finally:
            gateway.reset()
            app_context(app).faults.clear()  # a generated fault rule must not leak into the next case

    return test


test_firmware_1_15_0 = make_test("1.15.0")
test_firmware_21_44_1 = make_test("21.44.1", only=ONLY_21_44_1)
test_firmware_24_4_0 = make_test("24.4.0")


def make_stateful_test(firmware: str):
    """Follow the spec's links: login -> protected reads, POST operation -> GET operation, islanding -> grid status."""
    schema, gateway = SCHEMAS[firmware]
    ids = [op.operation_id for op in contract.operations() if op.serves(firmware) and op.path.startswith("/api/")]
    machine = schema.include(operation_id_regex="^(" + "|".join(ids) + ")$").as_state_machine()

    class Authorized(machine):  # type: ignore[misc, valid-type]
        def before_call(self, case):
            authorize(case, gateway)

        def validate_response(self, response, case, **kwargs):
            excluded = [ignored_auth] + ([positive_data_acceptance] if case.path in SEMANTIC_REFUSALS else [])
            excluded += [not_a_server_error] if case.path in FAITHFUL_SERVER_ERRORS else []
            case.validate_response(response, excluded_checks=excluded)

    def test() -> None:
        journal = app_context(schema.app).journal
        journal.clear()
        # derandomize: the same exploration every run, so CI never depends on a lucky draw of links
        Authorized.run(
            settings=settings(
                max_examples=8,
                stateful_step_count=4,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
        calls = [(e.method, e.path) for e in journal.query()]
        assert ("POST", "/api/operation") in calls and ("GET", "/api/operation") in calls, (
            "the links were never followed"
        )

    return test


test_links_firmware_1_15_0 = make_stateful_test("1.15.0")
test_links_firmware_24_4_0 = make_stateful_test("24.4.0")


def make_login_test(firmware: str):
    """Every login body the schema allows, with the right password, logs in: unknown fields are ignored
    whatever they hold (schemathesis found a 20-digit integer in one refused with 400)."""
    schema, gateway = SCHEMAS[firmware]
    login = schema.include(operation_id_regex="^post_login_Basic$")

    @login.parametrize()
    @settings(max_examples=60, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    def test(case):
        positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
        if positive and isinstance(case.body, dict):
            case.body = {**case.body, "password": gateway.password}
        try:
            response = case.call_and_validate(excluded_checks=[ignored_auth])  # negative cases: a documented 4xx
            assert response.status_code == 200 or not positive, (case.body, response.text)
        finally:
            gateway.reset()

    return test


test_login_firmware_24_4_0 = make_login_test("24.4.0")
test_login_firmware_1_15_0 = make_login_test("1.15.0")
