"""Options, targets and safety tiers for the contract suite.

With no options the suite starts the emulator in-process, once per firmware profile, and
runs every tier against it. With ``--gateway-url`` it tests that gateway instead: read-only
unless ``--allow-writes`` / ``--allow-disruptive`` say otherwise, paced and bounded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from contract_tests.client import GatewayClient, Unreachable
from contract_tests.target import CONTROL, Target, TargetError, identify
from emulator.contract import Operation, facts_for, firmware_facts
from emulator.contract.v1r import PATH, SigningKey, SigningKeyError, new_signing_key, read_signing_key, signing_key

TIERS = {
    "writes": ("allow_writes", "changes settings and restores them; run with --allow-writes"),
    "disruptive": ("allow_disruptive", "stops sitemaster or islands the site; run with --allow-disruptive"),
}
TARGETS = pytest.StashKey[list[Target]]()
EMULATOR_START = "2026-07-01T12:00:00"  # midday: sun, battery and grid all carry power


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "the TEG contract suite")
    group.addoption("--gateway-url", help="test this gateway (e.g. https://192.168.1.50) instead of the emulator")
    group.addoption(
        "--gateway-password",
        default=os.environ.get("TEG_PASSWORD"),
        help="the gateway's customer password (default: $TEG_PASSWORD)",
    )
    group.addoption(
        "--gateway-gw-password",
        default=os.environ.get("TEG_GW_PASSWORD"),
        help="the gateway password (QR sticker) for its TEDAPI; needed on a Powerwall 3 (default: $TEG_GW_PASSWORD)",
    )
    group.addoption(
        "--gateway-rsa-key",
        default=os.environ.get("TEG_RSA_KEY"),
        help="TEDAPI v1r: the owner's registered, verified RSA private key (PEM) to sign with; a Powerwall 3's"
        " LAN needs it (default: $TEG_RSA_KEY)",
    )
    group.addoption(
        "--gateway-unverified-rsa-key",
        default=os.environ.get("TEG_UNVERIFIED_RSA_KEY"),
        help="TEDAPI v1r: a key the gateway lists but has not verified (registered, switch not toggled), to check"
        " it is refused (default: $TEG_UNVERIFIED_RSA_KEY)",
    )
    group.addoption(
        "--gateway-spare-rsa-key",
        default=os.environ.get("TEG_SPARE_RSA_KEY"),
        help="TEDAPI v1r, writes tier: a throwaway key registered to the gateway (pending is enough) that the suite"
        " may remove for good, to check a removed key is locked out; register it again before the next run. The"
        " suite never removes its own key (default: $TEG_SPARE_RSA_KEY)",
    )
    group.addoption("--gateway-email", default="contract-suite@example.com", help="email sent with a customer login")
    group.addoption(
        "--firmware",
        choices=sorted(firmware_facts()),
        default=None,
        help="contract profile (default: detected from /api/status or the TEDAPI; emulator: all)",
    )
    group.addoption(
        "--allow-writes", action="store_true", help="also run tests that change settings (restored afterwards)"
    )
    group.addoption(
        "--allow-disruptive", action="store_true", help="also run tests that stop sitemaster or island the site"
    )
    group.addoption(
        "--pace",
        type=float,
        default=None,
        help="seconds between requests (default 1 for a gateway, 0 for the emulator)",
    )
    group.addoption(
        "--max-requests", type=int, default=2000, help="stop sending after this many requests (default 2000)"
    )
    group.addoption("--gateway-timeout", type=float, default=10.0, help="seconds to wait for each answer (default 10)")
    group.addoption(
        "--sample-gap", type=float, default=2.0, help="real seconds between live-data samples on a gateway (default 2)"
    )
    group.addoption(
        "--transition-timeout",
        type=float,
        default=120.0,
        help="seconds a commanded change (islanding, reconnecting, a battery setpoint) may take to show; real"
        " Powerwall 3s island in about 3 s and reconnect in about 21 s (default 120)",
    )


def pytest_configure(config: pytest.Config) -> None:
    for tier, (_, why) in TIERS.items():
        config.addinivalue_line("markers", f"{tier}: {why}")
    config.addinivalue_line("markers", "firmware(*profiles): only for targets speaking one of these contract profiles")
    config.addinivalue_line(
        "markers", "serves(*'METHOD /path'): only for targets whose firmware facts serve all of these"
    )
    config.addinivalue_line("markers", "endpoints(select=fn): one case per operation select(profile) returns")
    config.addinivalue_line(
        "markers", "needs(capability): skipped on targets without it (e.g. 'control', the emulator's control API)"
    )
    url = config.getoption("gateway_url")
    if url is not None:
        _check_gateway_options(config, url)
    if not config.getoption("transition_timeout") > 0:
        raise pytest.UsageError("--transition-timeout must be more than 0 seconds")
    config.stash[TARGETS] = []
    keys = config.stash[KEYS] = {option: _key(config, option) for option in KEY_OPTIONS}
    spare = keys["gateway_spare_rsa_key"]
    if spare is not None and spare.fingerprint in {k.fingerprint for k in keys.values() if k is not spare and k}:
        raise pytest.UsageError("--gateway-spare-rsa-key is removed by the run: it must not be one of the other keys")


KEYS = pytest.StashKey[dict[str, SigningKey | None]]()
KEY_OPTIONS = ("gateway_rsa_key", "gateway_unverified_rsa_key", "gateway_spare_rsa_key")


def _key(config: pytest.Config, option: str) -> SigningKey | None:
    """A key option's file, loaded once; a file that is no usable key stops the run with one line."""
    file = config.getoption(option)
    if not file:
        return None
    try:
        return read_signing_key(file)
    except SigningKeyError as exc:
        raise pytest.UsageError(f"--{option.replace('_', '-')}: {exc}") from None


def _check_gateway_options(config: pytest.Config, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise pytest.UsageError(f"--gateway-url {url!r} is not an http(s) URL such as https://192.168.1.50")
    if config.getoption("gateway_password") is None:
        raise pytest.UsageError("--gateway-url needs --gateway-password or $TEG_PASSWORD (the customer password)")
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("run against a real gateway without -n: its requests are paced one at a time")
    pace = config.getoption("pace")
    if pace is not None and pace < 0:
        raise pytest.UsageError("--pace must be 0 or more seconds")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One run per target; tests marked ``endpoints(select=fn)`` get one case per operation fn(profile) lists."""
    if "target" not in metafunc.fixturenames:
        return
    profiles = _profiles(metafunc.config)
    metafunc.parametrize("target", list(profiles), indirect=True, scope="session", ids=list(profiles.values()))
    marker = metafunc.definition.get_closest_marker("endpoints")
    if marker is not None:
        select = marker.kwargs["select"]
        union = list({op.operation_id: op for profile in profiles.values() for op in select(profile)}.values())
        metafunc.parametrize("op", union, ids=[f"{op.method} {op.path}" for op in union])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop (target, operation) pairs whose firmware's contract does not have that operation."""
    profiles = _profiles(config)
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("endpoints")
        params = getattr(getattr(item, "callspec", None), "params", {})
        profile = profiles.get(params.get("target", ""), "")
        only = item.get_closest_marker("firmware")
        if (
            (marker is not None and "op" in params and not _selected(marker, params["op"], profile))
            or (only is not None and "target" in params and profile not in only.args)
            or ("target" in params and not _served(item, profile))
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    for item in keep:
        _label(item)


def _label(item: pytest.Item) -> None:
    """Where a result belongs in the verify report: target, area, endpoint, check."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    name = getattr(item, "originalname", item.name).removeprefix("test_").replace("_", " ")
    op = params.get("op")
    module = getattr(item, "module", None)
    item.user_properties += [
        ("target", params.get("target", "")),
        ("area", getattr(module, "REPORT_AREA", "")),
        ("endpoint", f"{op.method} {op.path}" if op is not None else ""),
        ("check", name),
    ]


def _served(item: pytest.Item, profile: str) -> bool:
    """Whether the profile's facts serve every path the test's ``serves`` markers name (a PW3 has no /api/status)."""
    facts = facts_for(profile)
    return all(facts.serves(*call.split(" ", 1)) for mark in item.iter_markers("serves") for call in mark.args)


def _selected(marker: pytest.Mark, op: Operation, profile: str) -> bool:
    return any(o.operation_id == op.operation_id for o in marker.kwargs["select"](profile))


def _profiles(config: pytest.Config) -> dict[str, str]:
    """Target keys -> contract profile: the gateway's (detected once), or each emulator profile."""
    if config.getoption("gateway_url"):
        return {"gateway": _gateway_target(config).facts.version}
    chosen = config.getoption("firmware")
    return {p: p for p in ([chosen] if chosen else sorted(firmware_facts()))}


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    config = request.config
    if request.param == "gateway":
        built = _gateway_target(config)
        stop = built.client.close
        try:
            built.session()  # a wrong password stops the run here, with one line
        except (TargetError, Unreachable) as exc:
            pytest.exit(f"contract suite: {exc}", returncode=3)
    else:
        built, stop = _emulator_target(config, request.param)
    config.stash[TARGETS].append(built)
    try:
        yield built
    finally:
        failed = built.restore_all()
        built.notes.extend(f"NOT RESTORED: {what}" for what in failed)
        stop()


GATEWAY = pytest.StashKey[Target]()


def _gateway_target(config: pytest.Config) -> Target:
    """The real gateway, identified from /api/status once per run; unreachable -> one line, exit 3."""
    if GATEWAY not in config.stash:
        url = config.getoption("gateway_url").rstrip("/")
        pace = config.getoption("pace")
        client = GatewayClient(
            url,
            pace_s=1.0 if pace is None else pace,
            max_requests=config.getoption("max_requests"),
            timeout_s=config.getoption("gateway_timeout"),
        )
        config.add_cleanup(client.close)  # its pooled connections, when the run ends
        keys = config.stash[KEYS]
        try:
            built = identify(
                client,
                url,
                config.getoption("gateway_password"),
                config.getoption("gateway_email"),
                config.getoption("firmware"),
                config.getoption("gateway_gw_password"),
                keys["gateway_rsa_key"],
            )
        except (TargetError, Unreachable) as exc:
            pytest.exit(f"contract suite: {exc}", returncode=3)
        built.sample_gap_s = config.getoption("sample_gap")
        built.rsa_key, built.unverified_key = keys["gateway_rsa_key"], keys["gateway_unverified_rsa_key"]
        built.spare_key = keys["gateway_spare_rsa_key"]
        built.transition_timeout_s = config.getoption("transition_timeout")
        config.stash[GATEWAY] = built
    return config.stash[GATEWAY]


def _emulator_target(config: pytest.Config, profile: str) -> tuple[Target, Callable[[], None]]:
    from emulator.testing import running
    from emulator.testing.keys import private_key_pem

    password = "contract-suite-pw"
    # TEDAPI v1r: the emulator starts with the owner's key verified, as the owner's gateway has it
    owner = private_key_pem(0) if facts_for(profile).serves("POST", PATH) else None
    keys = [owner] if owner else []
    handle = running(firmware=profile, speed=0, start=EMULATOR_START, password=password, authorized_keys=keys).start()
    pace = config.getoption("pace")
    client = GatewayClient(handle.url, pace_s=pace or 0.0, max_requests=max(config.getoption("max_requests"), 100_000))
    email = "contract-suite@example.com"
    built = identify(client, f"emulator {profile}", handle.password, email, profile, handle.gw_password)
    built.capabilities = frozenset({CONTROL})
    built.rsa_key = signing_key(owner) if owner else None
    built.transition_timeout_s = config.getoption("transition_timeout")

    def stop() -> None:
        client.close()
        handle.stop()

    return built, stop


@pytest.fixture(autouse=True)
def _tiers_and_capabilities(request: pytest.FixtureRequest) -> None:
    """Skip what the run did not allow, or what the target cannot do, with the reason."""
    if "target" not in request.fixturenames:
        return
    built: Target = request.getfixturevalue("target")
    emulated = built.has(CONTROL)
    for tier, (option, why) in TIERS.items():
        if request.node.get_closest_marker(tier) and not emulated and not request.config.getoption(option):
            pytest.skip(f"{tier} tier: {why}")
    for marker in request.node.iter_markers("needs"):
        missing = [c for c in marker.args if not built.has(c)]
        if missing:
            pytest.skip(f"needs {', '.join(missing)}: only the emulator has it")


# -- TEDAPI v1r's keys (contract_tests/test_tedapi_v1r*.py) ---------------------------------------------
@pytest.fixture(scope="module")
def key(target: Target) -> SigningKey:
    """The owner's registered, verified key: what the suite signs with. Never removed (that locks the owner out)."""
    if target.rsa_key is None:
        pytest.skip("TEDAPI v1r needs the owner's registered key: verify --rsa-key PEM (pytest --gateway-rsa-key)")
    return target.rsa_key


@pytest.fixture(scope="module")
def din(target: Target, key: SigningKey) -> str:
    """The DIN a v1r client signs for: GET /tedapi/din with a customer session's bearer token, as both clients ask."""
    if target.din is None:
        token = target.session().token
        response = target.client.request("GET", "/tedapi/din", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 200, f"GET /tedapi/din with a customer session: {response.status_code}"
        target.din = response.text.strip()
    return target.din


@pytest.fixture(scope="module")
def unverified(target: Target) -> SigningKey:
    """A key the gateway lists but has not verified: given (a real gateway), or registered pending (the emulator)."""
    return _given_or_registered(
        target,
        target.unverified_key,
        "the pending key",
        "needs a key registered but not verified: verify --unverified-rsa-key PEM (pytest"
        " --gateway-unverified-rsa-key); a registration whose switch toggle never came stays unverified",
    )


@pytest.fixture
def spare(target: Target) -> SigningKey:
    """A throwaway key the gateway lists, which a test may remove for good: given (a real gateway, whose keys
    are added through Tesla's cloud), or registered pending (the emulator, whose control API stands in)."""
    return _given_or_registered(
        target,
        target.spare_key,
        "the spare key",
        "removing a key needs a throwaway one registered to the gateway: verify --spare-rsa-key PEM (pytest"
        " --gateway-spare-rsa-key); the suite never removes its own key, which would lock the owner out",
    )


def _given_or_registered(target: Target, given: SigningKey | None, what: str, skip_reason: str) -> SigningKey:
    """The key the run was given; else, on the emulator, a fresh one registered pending; else a skip saying why."""
    if given is not None:
        return given
    if not target.has(CONTROL):
        pytest.skip(skip_reason)
    return _registered(target, what)


def _registered(target: Target, what: str) -> SigningKey:
    """A fresh key, registered pending through the emulator's control API (the cloud's stand-in); dropped after."""
    pending = new_signing_key()
    listed = target.control("POST", "authorized_clients", {"public_key": pending.public_pem(), "state": "pending"})
    fingerprint = listed["fingerprint"]

    def drop() -> None:
        if any(
            c["fingerprint"] == fingerprint for c in target.control("GET", "authorized_clients")["authorized_clients"]
        ):
            target.control("DELETE", f"authorized_clients/{fingerprint}")

    target.remember(what, drop)
    return pending


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    for built in config.stash.get(TARGETS, []):
        for note in built.notes:
            terminalreporter.write_line(f"contract suite, {built.name}: {note}")
        terminalreporter.write_line(
            f"contract suite, {built.name}: firmware {built.version.strip()}, {built.client.used} requests"
        )
