"""The firmware facts live once, in the contract, and the contract suite judges by them alone.

schemas/firmware/<version>.yaml states what each firmware serves and how; the emulator's
profiles and contract_tests both read it through ``emulator.contract``. These tests pin
that contract_tests cannot reach the emulator's own idea of a firmware, that a facts file
which does not hold together is refused with a clear message, and that the facts agree with
real gateways' captures where those show them.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
import yaml

from emulator import contract
from emulator.contract import FactsError, facts_for, facts_for_reported, parse_facts
from emulator.firmware import PROFILES
from tests.support.paths import ROOT

ALLOWED_IN_SUITE = ("emulator.contract", "emulator.pytest_plugin", "emulator.testing")
"""What contract_tests may import from the emulator: the contract's loader, and the public doors that
start an emulator when no --gateway-url is given (``running()`` and its pytest plugin). Those serve a
target over HTTP; the suite judges none of its answers by asking them."""


def _imports(folder: Path) -> dict[str, set[str]]:
    """Every module each file imports, at any depth (imports inside functions count too)."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[path.relative_to(ROOT).as_posix()] = names
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_contract_tests_import_nothing_from_the_emulators_profiles_or_gateway() -> None:
    offending = {
        (file, name)
        for file, names in _imports(ROOT / "contract_tests").items()
        for name in names
        if _within(name, "emulator") and not any(_within(name, ok) for ok in ALLOWED_IN_SUITE) and name != "emulator"
    }
    assert offending == set()
    text = "\n".join(p.read_text("utf-8") for p in (ROOT / "contract_tests").rglob("*.py"))
    assert "emulator.firmware" not in text


def test_the_contract_loader_itself_depends_on_no_other_part_of_the_emulator() -> None:
    """Otherwise contract_tests would reach the profiles through the loader it is allowed."""
    names = {name for names in _imports(ROOT / "emulator" / "contract").values() for name in names}
    assert {n for n in names if _within(n, "emulator") and not _within(n, "emulator.contract")} == set()


def _facts_data(version: str) -> dict:
    return yaml.safe_load((contract.schemas_dir() / "firmware" / f"{version}.yaml").read_text("utf-8"))


def test_a_facts_file_naming_a_path_openapi_does_not_document_is_refused() -> None:
    data = _facts_data("24.4.0")
    data["paths"]["/api/not/in/the/spec"] = {"GET": "open"}
    with pytest.raises(FactsError, match=r"GET /api/not/in/the/spec is not in openapi.yaml"):
        parse_facts("24.4.0", data)


def test_a_facts_file_that_breaks_the_schema_says_where() -> None:
    data = _facts_data("1.15.0")
    data["login"]["credentials"] = "kerberos"
    with pytest.raises(FactsError, match=r"1.15.0.yaml: login/credentials: 'kerberos' is not one of"):
        parse_facts("1.15.0", data)


def test_a_throttle_without_the_429_a_client_sees_is_refused() -> None:
    data = _facts_data("24.4.0")
    del data["errors"]["throttled"]
    with pytest.raises(FactsError, match="login.throttle needs errors.throttled"):
        parse_facts("24.4.0", data)


def test_a_facts_file_edited_after_it_passed_is_checked_again_before_the_emulator_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is remembered between starts (contract.cache), but only for the exact bytes it read."""
    import shutil

    from emulator.contract import cache, facts

    schemas = tmp_path / "schemas"
    shutil.copytree(contract.schemas_dir() / "firmware", schemas / "firmware")
    shutil.copy(contract.schemas_dir() / "firmware.json", schemas / "firmware.json")
    monkeypatch.setattr(facts, "schemas_dir", lambda: schemas)
    monkeypatch.setattr(cache, "_FOLDER", tmp_path / "cache")
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    load = facts.firmware_facts.__wrapped__  # past the in-process lru_cache, as a new process would be
    assert sorted(load()) == sorted(PROFILES)

    def no_check(name: str) -> object:
        raise AssertionError("checked again although nothing changed")

    with monkeypatch.context() as m:
        m.setattr(facts, "validator", no_check)
        assert sorted(load()) == sorted(PROFILES)  # unchanged bytes: the remembered check stands
    edited = schemas / "firmware" / "1.15.0.yaml"
    edited.write_text(edited.read_text("utf-8").replace("credentials: bearer", "credentials: kerberos"), "utf-8")
    with pytest.raises(FactsError, match=r"1.15.0.yaml: login/credentials: 'kerberos' is not one of"):
        load()


@pytest.mark.parametrize(
    ("reported", "profile"),
    [
        ("1.15.0\n", "1.15.0"),
        ("20.48.1", "1.15.0"),
        ("20.49.0", "21.44.1"),
        ("23.36.1 a1b2c3d4", "21.44.1"),
        ("23.44.0 9064fc6a", "24.4.0"),
    ],
)
def test_a_reported_version_speaks_the_profile_whose_range_holds_it(reported: str, profile: str) -> None:
    assert facts_for_reported(reported).version == profile


def test_the_emulators_profiles_are_built_from_the_facts_and_nothing_else() -> None:
    for version, profile in PROFILES.items():
        facts = facts_for(version)
        assert profile.facts is facts
        routed = [op for op in contract.operations() if op.route is not None and op.path.startswith("/api/")]
        assert {op.route for op in routed if op.method in facts.paths.get(op.path, {})} == profile.served
        for op in routed:
            if op.route in profile.served:
                assert profile.is_open(op.route, op.method) == (facts.paths.get(op.path, {}).get(op.method) == "open")


# -- the facts against real gateways' captures ---------------------------------------------------------
def _captures() -> Path | None:
    env = os.environ.get("TEG_REAL_RESPONSES")
    candidates = [Path(env)] if env else [p / "shared" / "real-responses" for p in ROOT.parents]
    return next((c for c in candidates if (c / "MANIFEST.md").is_file()), None)


CAPTURES = _captures()
needs_captures = pytest.mark.skipif(
    CAPTURES is None, reason="real captures not found (set TEG_REAL_RESPONSES to the real-responses folder)"
)


def _capture(relative: str) -> tuple[int | None, dict[str, str], str]:
    """(status, headers, body) of a capture: an .http/.err file's status line and headers, or a bare body."""
    assert CAPTURES is not None
    text = (CAPTURES / relative).read_text("utf-8")
    if not text.startswith("HTTP/"):
        return None, {}, text
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    status_line, *lines = head.split("\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


@needs_captures
@pytest.mark.parametrize(
    ("version", "fact", "method", "capture"),
    [
        (
            "1.15.0",
            "bad_credentials",
            "POST",
            "community-issues/fw1.15_2018-04/login_basic_401_invalid_credentials.http",
        ),
        ("24.4.0", "bad_credentials", "POST", "community-issues/fw21.x_2021-07/login_basic_401_bad_credentials.http"),
        ("24.4.0", "missing_credentials", "GET", "jasonacox-pypowerwall/fw21.39_2021-10/unauthenticated_get_403.json"),
        ("24.4.0", "missing_credentials", "POST", "community-issues/fw20.49_2021-02/operation_post_403.json"),
        ("24.4.0", "throttled", "POST", "community-issues/fw24.x_2024-06/login_basic_429_api_limit.json"),
        ("24.4.0", "sitemaster_stopped", "GET", "vloschiavo-powerwall2/fw21.44/stopped/meters.aggregates.err"),
    ],
)
def test_the_error_texts_are_the_ones_real_gateways_sent(version: str, fact: str, method: str, capture: str) -> None:
    text = getattr(facts_for(version), fact)
    status, headers, body = _capture(capture)
    if text.empty_body:
        assert (status, body.strip(), headers.get("content-length")) == (text.status, "", "0")
        return
    assert json.loads(body) == text.body(method)
    assert status in (None, text.status)


@needs_captures
def test_the_1_15_headers_and_login_are_the_captured_ones() -> None:
    facts = facts_for("1.15.0")
    _, headers, _ = _capture("community-issues/fw1.15_2018-04/login_basic_401_invalid_credentials.http")
    assert {k.lower(): v for k, v in facts.headers} == {k: v for k, v in headers.items() if k.startswith("access-")}
    login = json.loads(_capture("vloschiavo-powerwall2/fw1.15.0_readme/login_basic_response.json")[2])
    assert tuple(login["roles"]) == facts.roles and login["token"] and facts.credentials == "bearer"
    status = json.loads(_capture("vloschiavo-powerwall2/fw1.15.0_readme/status.json")[2])
    assert (status["version"], status["git_hash"]) == (facts.reported_version, facts.git_hash)


@needs_captures
def test_the_modern_login_is_the_captured_one() -> None:
    facts = facts_for("24.4.0")
    for capture in (
        "jasonacox-pypowerwall/fw21.39_2021-10/login_basic_userrecord_cookie_decoded.json",
        "vloschiavo-powerwall2/fw-unknown_2023-04_uk/login_basic_response.json",
    ):
        assert tuple(json.loads(_capture(capture)[2])["roles"]) == facts.roles
    assert facts.credentials == "cookies"  # the UserRecord cookie capture is what a login sets
