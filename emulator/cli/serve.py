"""`teg-emulator serve`: start an emulated gateway."""

from __future__ import annotations

import argparse
import sys

from emulator.app import create_app
from emulator.cli import options as opt
from emulator.factory import DEFAULT_START, EmulatorOptions, build_gateway
from emulator.firmware import PROFILES
from emulator.identity import validate_serial
from emulator.model import OPERATION_MODES
from emulator.server import bind, run


def _serial(text: str) -> str:
    try:
        return validate_serial(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve an emulated gateway over HTTP(S)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=opt.port, default=8080, help="port (0 picks a free one; default 8080)")
    p.add_argument("--firmware", choices=sorted(PROFILES), default="1.15.0", help="firmware profile (default 1.15.0)")
    p.add_argument("--gateway-serial", type=_serial, default="T123456789", help="gateway serial (1.15 password is S + serial)")
    p.add_argument("--password", default=None, help="customer password (newer firmware); default derived from the serial")
    p.add_argument("--speed", type=opt.bounded_float(0, 100_000), default=1.0, help="sim seconds per real second (default 1)")
    p.add_argument("--paused", action="store_true", help="start with the sim clock paused")
    p.add_argument("--seed", type=opt.bounded_int(0, 2**31 - 1), default=0, help="seed for clouds, load and serials")
    p.add_argument("--powerwalls", type=opt.bounded_int(1, 10), default=1, help="number of Powerwall 2 units")
    p.add_argument("--start", type=opt.start_time, default=None, help="sim start, ISO 8601 (naive = site local time)")
    p.add_argument("--timezone", type=opt.timezone_name, default="America/Los_Angeles", help="site time zone")
    p.add_argument("--soe", type=opt.bounded_float(0, 100), default=69.17, help="starting state of energy, %% (API scale)")
    p.add_argument("--mode", choices=OPERATION_MODES, default="self_consumption", help="starting operation mode")
    p.add_argument("--reserve", type=opt.bounded_float(0, 100), default=20.0, help="backup reserve, %% API scale")
    p.add_argument("--pv-rating", type=opt.bounded_float(0, 1_000_000), default=6000.0, help="PV inverter rating, W")
    p.add_argument("--grid", choices=("up", "down"), default="up", help="utility grid at start")
    p.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), default="warning")
    p.set_defaults(run=run_serve)


def options_from(args: argparse.Namespace) -> EmulatorOptions:
    start = opt.localize(args.start, args.timezone) if args.start is not None else DEFAULT_START
    return EmulatorOptions(
        firmware=args.firmware,
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
        pv_rating_w=args.pv_rating,
        timezone=args.timezone,
    )


def run_serve(args: argparse.Namespace) -> int:
    try:
        gateway = build_gateway(options_from(args))
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"teg-emulator: error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"teg-emulator {gateway.profile.version} listening on http://{shown}:{port}/", flush=True)
    print(f"  login password: {gateway.password}", flush=True)
    print(f"  control API:    http://{shown}:{port}/_emulator/state", flush=True)
    run(create_app(gateway), sock, log_level=args.log_level)
    return 0
