"""`teg-emulator serve`: start an emulated gateway."""

from __future__ import annotations

import argparse
import sys

from starlette.applications import Starlette

from emulator.cli import options as opt
from emulator.cli import replay
from emulator.cli.listen import control_banner, control_policy, serve_app, tls_files
from emulator.cli.scenario import served_scenario
from emulator.device.factory import DEFAULT_START, EmulatorOptions, localize
from emulator.device.identity import validate_serial
from emulator.firmware import PROFILES, get_profile
from emulator.model import OPERATION_MODES
from emulator.serving.app import create_app
from emulator.serving.context import app_context
from emulator.serving.fleet import FleetApp, build_fleet
from emulator.serving.server import TLSFiles, bind_many, check_tls, run_many


def _serial(text: str) -> str:
    try:
        return validate_serial(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve an emulated gateway over HTTP(S)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=opt.port, default=8080, help="port (0 picks a free one; default 8080)")
    p.add_argument(
        "--firmware",
        choices=sorted(PROFILES),
        default=None,
        help="firmware profile (default 1.15.0, or the scenario's)",
    )
    p.add_argument(
        "--gateway-serial", type=_serial, default="T123456789", help="gateway serial (1.15 password is S + serial)"
    )
    p.add_argument(
        "--password", default=None, help="customer password (newer firmware); default derived from the serial"
    )
    p.add_argument(
        "--gw-password",
        type=opt.gateway_password,
        default=None,
        help="gateway password (QR sticker) for the TEDAPI's HTTP Basic; default: ten letters drawn from --seed",
    )
    p.add_argument(
        "--speed", type=opt.bounded_float(0, 100_000), default=1.0, help="sim seconds per real second (default 1)"
    )
    p.add_argument("--paused", action="store_true", help="start with the sim clock paused")
    p.add_argument("--seed", type=opt.bounded_int(0, 2**31 - 1), default=0, help="seed for clouds, load and serials")
    p.add_argument(
        "--fault-seed",
        type=opt.bounded_int(0, 2**31 - 1),
        default=None,
        help="seed for fault rules' probabilities (default: --seed)",
    )
    p.add_argument("--powerwalls", type=opt.bounded_int(1, 10), default=1, help="number of Powerwall 2 units")
    p.add_argument("--start", type=opt.start_time, default=None, help="sim start, ISO 8601 (naive = site local time)")
    p.add_argument("--timezone", type=opt.timezone_name, default="America/Los_Angeles", help="site time zone")
    p.add_argument(
        "--soe", type=opt.bounded_float(0, 100), default=69.17, help="starting state of energy, %% (API scale)"
    )
    p.add_argument("--mode", choices=OPERATION_MODES, default="self_consumption", help="starting operation mode")
    p.add_argument("--reserve", type=opt.bounded_float(0, 100), default=20.0, help="backup reserve, %% API scale")
    p.add_argument("--pv-rating", type=opt.bounded_float(0, 1_000_000), default=6000.0, help="PV inverter rating, W")
    p.add_argument("--grid", choices=("up", "down"), default="up", help="utility grid at start")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument(
        "--tls", dest="tls", action="store_true", default=None, help="serve HTTPS (default for firmware >= 20.49)"
    )
    tls.add_argument("--no-tls", dest="tls", action="store_false", help="serve plain HTTP even for newer firmware")
    p.add_argument(
        "--cert", type=opt.readable_file, help="PEM certificate for --tls (default: self-signed, made at start)"
    )
    p.add_argument("--key", type=opt.readable_file, help="PEM private key for --cert")
    p.add_argument(
        "--login-throttle",
        type=opt.bounded_int(1, 1000),
        default=None,
        help="failed logins before a 429 (newer firmware; default 5)",
    )
    p.add_argument(
        "--login-cooldown", type=opt.bounded_float(0, 86_400), default=None, help="seconds a 429 lasts (default 30)"
    )
    p.add_argument("--gateways", type=opt.bounded_int(1, 500), default=1, help="serve N independent gateways (a fleet)")
    p.add_argument(
        "--fleet-mode",
        choices=("ports", "host"),
        default="ports",
        help="fleet: consecutive ports, or one port keyed by Host (gw-001.localhost)",
    )
    p.add_argument(
        "--scenario",
        metavar="FILE_OR_NAME",
        help="serve a scenario live: its site, start and events (see teg-emulator scenario list)",
    )
    p.add_argument(
        "--control-token",
        default=None,
        help="token the control API (/_emulator) requires in X-Emulator-Token; off loopback one is made if not given",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the control API answers for besides loopback and the bound address (repeatable)",
    )
    p.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), default="warning")
    p.add_argument(
        "--replay",
        metavar="FILE",
        default=None,
        help="serve a recording made by `teg-emulator record` (firmware, auth and TLS follow it)",
    )
    p.add_argument(
        "--loop", action="store_true", help="with --replay: start over after the end (default: the last answers stay)"
    )
    p.set_defaults(run=run_serve)


def options_from(args: argparse.Namespace) -> EmulatorOptions:
    start = localize(args.start, args.timezone) if args.start is not None else DEFAULT_START
    return EmulatorOptions(
        firmware=args.firmware or "1.15.0",
        gateway_serial=args.gateway_serial,
        speed=args.speed,
        paused=args.paused,
        seed=args.seed,
        powerwalls=args.powerwalls,
        start=start,
        soe_pct=args.soe,
        mode=args.mode,
        reserve_pct=args.reserve,
        grid_connected=args.grid == "up",
        password=args.password,
        gw_password=getattr(args, "gw_password", None),
        pv_rating_w=args.pv_rating,
        timezone=args.timezone,
        login_throttle=args.login_throttle,
        login_cooldown_s=args.login_cooldown,
    )


def run_serve(args: argparse.Namespace) -> int:
    if args.replay is not None or args.loop:
        problem = replay.refused(args)
        if problem:
            print(f"teg-emulator: error: {problem}", file=sys.stderr)
            return 2
        return replay.run_replay(args)
    if args.gateways > 1:
        return run_fleet(args)
    return serve_app(args, lambda: _live_app(args), _live_banner)


def _live_app(args: argparse.Namespace) -> tuple[Starlette, TLSFiles | None]:
    gateway, scenario = served_scenario(args, options_from(args))
    tls = tls_files(args, gateway.profile)
    app = create_app(
        gateway, tls=tls is not None, fault_seed=args.fault_seed, scenario=scenario, control=control_policy(args)
    )
    return app, tls


def _live_banner(app: Starlette, base: str) -> list[str]:
    ctx = app_context(app)
    gateway, scenario = ctx.gateway, ctx.scenario
    lines = [
        f"teg-emulator {gateway.profile.version} listening on {base}/",
        f"  login password: {gateway.password}",
        *(
            [f"  TEDAPI:         {base}/tedapi/v1  (HTTP Basic Tesla_Energy_Device:{gateway.gw_password})"]
            if gateway.profile.tedapi
            else []
        ),
        f"  control API:    {base}/_emulator/state",
    ]
    if scenario is not None:
        lines.append(f"  scenario:       {scenario.name}: {scenario.title} ({base}/_emulator/scenario)")
    lines.append(f"  control panel:  {base}/_emulator/  (the gateway's page: {base}/)")
    return [*lines, *control_banner(ctx.control, base)]


def run_fleet(args: argparse.Namespace) -> int:
    """`serve --gateways N`: N independent gateways in this one process."""
    if args.scenario:
        print("teg-emulator: error: --scenario serves one gateway; leave out --gateways", file=sys.stderr)
        return 2
    try:
        tls = tls_files(args, get_profile(args.firmware or "1.15.0"))
        policy = control_policy(args)
        members = build_fleet(
            options_from(args),
            args.gateways,
            mode=args.fleet_mode,
            tls=tls is not None,
            fault_seed=args.fault_seed,
            control=policy,
        )
        if tls is not None:
            check_tls(tls)
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    count = 1 if args.fleet_mode == "host" else len(members)
    try:
        sockets = bind_many(args.host, args.port, count)
    except OSError as exc:
        print(f"teg-emulator: error: cannot listen on {args.host}:{args.port}..: {exc.strerror}", file=sys.stderr)
        return 2
    for member, sock in zip(members, sockets * len(members) if count == 1 else sockets, strict=False):
        member.port = sock.getsockname()[1]
    fleet = FleetApp(members, args.fleet_mode, "https" if tls else "http", control=policy)
    print(f"teg-emulator fleet of {len(members)} gateways ({members[0].gateway.profile.version})", flush=True)
    for entry in fleet.listing():
        print(f"  {entry['url']}  serial {entry['serial']}  password {entry['password']}", flush=True)
    print(f"  list: {'https' if tls else 'http'}://127.0.0.1:{members[0].port}/_emulator/fleet", flush=True)
    for line in control_banner(policy, f"{'https' if tls else 'http'}://127.0.0.1:{members[0].port}"):
        print(line, flush=True)
    run_many(fleet, sockets, tls=tls, log_level=args.log_level)
    return 0
