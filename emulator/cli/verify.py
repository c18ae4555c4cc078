"""`teg-emulator verify`: run the contract suite and write a report a person can share."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from emulator.cli import options as opt
from emulator.contract import firmware_facts

EXIT_UNREACHABLE = 3
PASSWORD_ENV = "TEG_PASSWORD"
GW_PASSWORD_ENV = "TEG_GW_PASSWORD"
RSA_KEY_ENV = "TEG_RSA_KEY"
UNVERIFIED_RSA_KEY_ENV = "TEG_UNVERIFIED_RSA_KEY"
SPARE_RSA_KEY_ENV = "TEG_SPARE_RSA_KEY"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("verify", help="run the contract suite against a gateway (or a fresh emulator) and report")
    p.add_argument(
        "--gateway-url",
        type=_url,
        default=None,
        help="the gateway, e.g. https://192.168.1.50 (default: a fresh emulator)",
    )
    p.add_argument(
        "--password",
        default=os.environ.get(PASSWORD_ENV),
        help=f"the gateway's customer password (default: ${PASSWORD_ENV}, which keeps it out of shell history)",
    )
    p.add_argument(
        "--gw-password",
        default=os.environ.get(GW_PASSWORD_ENV),
        help=f"the gateway password (QR sticker) to read its TEDAPI; a Powerwall 3 needs it (default: ${GW_PASSWORD_ENV})",
    )
    p.add_argument(
        "--rsa-key",
        default=os.environ.get(RSA_KEY_ENV),
        metavar="PEM",
        help="TEDAPI v1r: the owner's registered, verified RSA private key, to check a Powerwall 3's signed LAN"
        f" TEDAPI (default: ${RSA_KEY_ENV})",
    )
    p.add_argument(
        "--unverified-rsa-key",
        default=os.environ.get(UNVERIFIED_RSA_KEY_ENV),
        metavar="PEM",
        help="TEDAPI v1r: a key registered but not verified (its switch toggle never came), to check the gateway"
        f" answers it 'not verified' (default: ${UNVERIFIED_RSA_KEY_ENV})",
    )
    p.add_argument(
        "--spare-rsa-key",
        default=os.environ.get(SPARE_RSA_KEY_ENV),
        metavar="PEM",
        help="TEDAPI v1r, with --allow-writes: a throwaway key registered to the gateway, which the run removes for"
        " good to check a removed key is locked out (the suite never removes --rsa-key's)"
        f" (default: ${SPARE_RSA_KEY_ENV})",
    )
    p.add_argument("--email", default="contract-suite@example.com", help="email sent with a customer login")
    p.add_argument(
        "--firmware", choices=tuple(firmware_facts()), default=None, help="contract profile (default: detected)"
    )
    p.add_argument(
        "--allow-writes", action="store_true", help="also change settings (every original value is restored)"
    )
    p.add_argument("--allow-disruptive", action="store_true", help="also stop sitemaster and island the site")
    p.add_argument(
        "--pace", type=opt.bounded_float(0, 60), default=None, help="seconds between requests to a gateway (default 1)"
    )
    p.add_argument(
        "--max-requests",
        type=opt.bounded_int(10, 100_000),
        default=2000,
        help="at most this many requests (default 2000)",
    )
    p.add_argument(
        "--timeout", type=opt.bounded_float(0.1, 300), default=10.0, help="seconds to wait for each answer (default 10)"
    )
    p.add_argument(
        "--transition-timeout",
        type=opt.bounded_float(1, 600),
        default=120.0,
        help="seconds islanding, reconnecting or a battery setpoint may take to show (default 120)",
    )
    p.add_argument("--report", default=None, help="write the Markdown report here")
    p.add_argument("--junit", default=None, help="write JUnit XML here")
    p.add_argument("--verbose", "-v", action="store_true", help="show pytest's output")
    p.set_defaults(run=run_verify)


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL such as https://192.168.1.50")
    return text.rstrip("/")


def run_verify(args: argparse.Namespace) -> int:
    import pytest

    from contract_tests.report import ReportPlugin, shape_differences, write

    if args.gateway_url and args.password is None:
        print(
            f"teg-emulator: error: --gateway-url needs --password or ${PASSWORD_ENV} (the customer password)",
            file=sys.stderr,
        )
        return 2
    for path in (args.report, args.junit):
        if path and not _writable(path):
            print(f"teg-emulator: error: cannot write {path}", file=sys.stderr)
            return 2
    problem = _key_problem(args)
    if problem:
        print(f"teg-emulator: error: {problem}", file=sys.stderr)
        return 2
    tiers = (
        "read-only" + (" + writes" if args.allow_writes else "") + (" + disruptive" if args.allow_disruptive else "")
    )
    plugin = ReportPlugin(tiers=tiers if args.gateway_url else "all (emulator)")
    if args.gateway_url:
        problem = _reachability(args.gateway_url, args.timeout)
        if problem:
            plugin.unreachable = problem
            if args.report:
                write(args.report, plugin.markdown())
            print(f"teg-emulator: error: {problem}", file=sys.stderr)
            return EXIT_UNREACHABLE
    code = int(pytest.main(_pytest_args(args), plugins=[plugin]))
    if plugin.unreachable:
        if args.report:
            write(args.report, plugin.markdown())
        print(f"teg-emulator: error: {plugin.unreachable.removeprefix('contract suite: ')}", file=sys.stderr)
        return EXIT_UNREACHABLE
    shapes = {t.name: shape_differences(t, _emulator_bodies(t)) for t in plugin.targets if args.gateway_url}
    if args.report:
        write(args.report, plugin.markdown(shapes))
    failed = sum(r.outcome == "FAIL" for r in plugin.results)
    passed = sum(r.outcome == "PASS" for r in plugin.results)
    print(
        f"teg-emulator verify: {passed} passed, {failed} failed" + (f"; report in {args.report}" if args.report else "")
    )
    return 0 if code == 0 else (code if code in (2, EXIT_UNREACHABLE) else 1)


def _pytest_args(args: argparse.Namespace) -> list[str]:
    import contract_tests

    suite = Path(contract_tests.__file__).resolve().parent
    argv = [
        str(suite),
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--rootdir",
        str(suite),
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    argv += ["-v"] if args.verbose else ["-q", "--no-header", "--tb=no", "-rN"]
    if args.gateway_url:
        argv += ["--gateway-url", args.gateway_url, "--gateway-password", args.password, "--gateway-email", args.email]
        if args.gw_password is not None:
            argv += ["--gateway-gw-password", args.gw_password]
        for flag, key in (
            ("--gateway-rsa-key", args.rsa_key),
            ("--gateway-unverified-rsa-key", args.unverified_rsa_key),
            ("--gateway-spare-rsa-key", args.spare_rsa_key),
        ):
            if key:
                argv += [flag, key]
    for flag, value in (("--firmware", args.firmware), ("--pace", args.pace)):
        if value is not None:
            argv += [flag, str(value)]
    argv += ["--max-requests", str(args.max_requests), "--gateway-timeout", str(args.timeout)]
    argv += ["--transition-timeout", str(args.transition_timeout)]
    argv += ["--allow-writes"] * args.allow_writes + ["--allow-disruptive"] * args.allow_disruptive
    if args.junit:
        argv += ["--junitxml", args.junit]
    return argv


def _key_problem(args: argparse.Namespace) -> str | None:
    """Why a key flag cannot be used (one line), checked before anything is sent; None when they can."""
    from emulator.contract.v1r import SigningKeyError, read_signing_key

    files = {"--rsa-key": args.rsa_key, "--unverified-rsa-key": args.unverified_rsa_key}
    files["--spare-rsa-key"] = args.spare_rsa_key
    fingerprints = {}
    for flag, file in files.items():
        if not file:
            continue
        if not args.gateway_url:
            return f"{flag} is the key a real gateway knows: give it with --gateway-url (the emulator makes its own)"
        try:
            fingerprints[flag] = read_signing_key(file).fingerprint
        except SigningKeyError as exc:
            return f"{flag}: {exc}"
    spare = fingerprints.pop("--spare-rsa-key", None)
    same = next((flag for flag, fingerprint in fingerprints.items() if fingerprint == spare), None)
    if same:
        return f"--spare-rsa-key is the {same} key: the run removes the spare key, and must never remove that one"
    return None


def _reachability(url: str, timeout_s: float) -> str | None:
    """One line saying why the gateway cannot be tested, or None when /api/status answers (404: a Powerwall 3,
    which the suite identifies by its TEDAPI)."""
    import httpx

    try:
        response = httpx.get(url + "/api/status", verify=False, timeout=timeout_s)
    except httpx.TimeoutException:
        return f"{url} did not answer within {timeout_s:g} s"
    except httpx.TransportError as exc:
        return f"cannot reach {url}: {exc or type(exc).__name__}"
    if response.status_code not in (200, 404):
        return f"{url}/api/status answered {response.status_code}: is it a Tesla Energy Gateway?"
    return None


def _emulator_bodies(target: Any) -> dict[str, Any]:
    """The emulator's own answers, same firmware profile, same paths the gateway answered.

    Read through the suite's own Target, so the emulator is logged into exactly as the gateway was.
    """
    from contract_tests.client import GatewayClient
    from contract_tests.target import identify
    from emulator.testing import running

    handle = running(firmware=target.facts.version, speed=0, password="verify").start()
    client = GatewayClient(handle.url, pace_s=0.0)
    try:
        twin = identify(
            client, "emulator", handle.password, "verify@example.com", target.facts.version, handle.gw_password
        )
        for path in target.client.observed:
            twin.read(path)  # the client keeps each 200 JSON body it sees
        return dict(client.observed)
    finally:
        client.close()
        handle.stop()


def _writable(path: str) -> bool:
    folder = Path(path).resolve().parent
    return folder.is_dir() and os.access(folder, os.W_OK)
