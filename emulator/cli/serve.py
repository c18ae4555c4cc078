"""`teg-emulator serve`: start an emulated gateway."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from starlette.applications import Starlette

from emulator.cli import options as opt
from emulator.cli import startup
from emulator.cli.listen import (
    Built,
    certificate,
    configure_logging,
    control_banner,
    control_policy,
    serve_app,
    serving_stack,
    stack_banner,
)
from emulator.durations import format_duration
from emulator.http.context import app_context
from emulator.serving.assembly import assemble
from emulator.serving.limits import MAX_GATEWAYS, fleet_size
from emulator.serving.options import RunOptions, key_file
from emulator.serving.server import bind_many, run_many
from emulator.serving.stack import HTTP_CHOICES, LOOP_CHOICES

# Fleets, shards and workers load only when asked for: one served gateway -- what most starts are -- never
# uses them, and each module is start-up time (issue 13's budget).
if TYPE_CHECKING:
    from emulator.serving.shards import Shard


def _shard(text: str) -> Shard:
    from emulator.serving.shards import parse_shard

    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _workers(text: str) -> int:
    from emulator.serving.workers import default_workers

    return default_workers() if text == "auto" else opt.bounded_int(1, 1024)(text)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="serve an emulated gateway over HTTP(S)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=opt.port, default=8080, help="port (0 picks a free one; default 8080)")
    for name, kwargs in opt.option_flags():  # the options running() and the pytest marker take, as flags
        p.add_argument(name, **kwargs)
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
        "--authorized-key",
        dest="authorized_keys",
        action="append",
        default=[],
        type=opt.from_parse(key_file),
        metavar="FILE",
        help="TEDAPI v1r: an RSA key (public or private PEM) the gateway accepts, verified (repeatable)",
    )
    p.add_argument(
        "--gateways",
        type=opt.from_parse(fleet_size),
        default=1,
        help=f"serve N independent gateways (a fleet; up to {MAX_GATEWAYS:,} per process, split with --workers)",
    )
    p.add_argument(
        "--shard",
        type=_shard,
        default=None,
        metavar="k/K",
        help="serve only shard k (from 0) of K of the --gateways fleet, each member as the whole fleet has it",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        nargs="?",
        const="auto",
        default=None,
        metavar="K",
        help="run the fleet as K supervised shard processes (default: one per core)",
    )
    p.add_argument("--no-workers", dest="workers", action="store_const", const=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--fleet-mode",
        choices=("ports", "host"),
        default="ports",
        help="fleet: consecutive ports, or one port keyed by Host (gw-001.localhost)",
    )
    p.add_argument(
        "--http",
        choices=HTTP_CHOICES,
        default="auto",
        help="HTTP parser: httptools (C, the default where it imports) or h11 (pure Python); the banner says which",
    )
    p.add_argument(
        "--event-loop",
        choices=LOOP_CHOICES,
        default="auto",
        help="event loop: uvloop (the default where it imports) or asyncio",
    )
    p.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="warning",
        help="info: grid, sitemaster, logins, scenario events, fired faults; debug: also each request's route and latency",
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


def options_from(args: argparse.Namespace) -> RunOptions:
    """The flags as :class:`RunOptions`: the one declaration of what a user chooses."""
    return RunOptions(**{name: getattr(args, name) for name in RunOptions.names()})


def run_serve(args: argparse.Namespace) -> int:
    if args.replay is not None or args.loop:
        # Imported here for start-up speed: a recording's reader brings httpx and rich (~0.1 s), which a
        # simulated gateway never uses.
        from emulator.cli import replay

        problem = replay.refused(args)
        if problem:
            print(f"teg-emulator: error: {problem}", file=sys.stderr)
            return 2
        return replay.run_replay(args)
    if args.workers is not None:
        return run_workers(args)
    if args.gateways > 1 or args.shard is not None:
        return run_fleet(args)
    return serve_app(args, lambda: _live_app(args), _live_banner)


def _live_app(args: argparse.Namespace) -> Built:
    assembly = assemble(options_from(args), certificate=certificate(args), control=control_policy(args))
    return assembly.app, assembly.tls, assembly.listener


def _live_banner(app: Starlette, base: str) -> list[str]:
    ctx = app_context(app)
    gateway, scenario = ctx.gateway, ctx.scenario
    lines = [
        f"teg-emulator {gateway.facts.version} listening on {base}/",
        f"  login password: {gateway.password}",
        *(
            [f"  TEDAPI:         {base}/tedapi/v1  (HTTP Basic Tesla_Energy_Device:{gateway.gw_password})"]
            if gateway.facts.tedapi
            else []
        ),
        *(
            [
                f"  TEDAPI v1r:     {base}/tedapi/v1r  ({len(gateway.authorized_clients)} authorized key(s); "
                f"add one at {base}/_emulator/authorized_clients)"
            ]
            if gateway.facts.serves("POST", "/tedapi/v1r")
            else []
        ),
        f"  control API:    {base}/_emulator/state",
    ]
    if scenario is not None:
        lines.append(f"  scenario:       {scenario.name}: {scenario.title} ({base}/_emulator/scenario)")
    limit = gateway.rate_limits.policy
    if limit is not None:  # off unless asked for: say so when it is on, since clients will meet it
        lines.append(
            f"  rate limit:     {limit.requests} requests per {format_duration(limit.window_s)} per client and"
            f" endpoint, then 429 for {format_duration(limit.cooldown_s)} ({base}/_emulator/rate_limits)"
        )
    lines.append(f"  control panel:  {base}/_emulator/  (the gateway's page: {base}/)")
    return [*lines, *control_banner(ctx.control, base)]


def run_fleet(args: argparse.Namespace) -> int:
    """`serve --gateways N`: N independent gateways in this one process."""
    from emulator.serving.fleet import FleetApp, build_fleet
    from emulator.serving.shards import check_shard

    try:
        indices = None if args.shard is None else check_shard(args.shard, args.gateways)
        policy = control_policy(args)
        members = build_fleet(
            options_from(args),
            args.gateways,
            mode=args.fleet_mode,
            certificate=certificate(args),
            indices=indices,
            control=policy,
        )
        tls = members[0].tls
        stack = serving_stack(args)
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
    part = (
        f" (shard {args.shard}: members {members[0].index}-{members[-1].index} of {args.gateways})"
        if args.shard
        else ""
    )
    print(f"teg-emulator fleet of {len(members)} gateways{part} ({members[0].gateway.facts.version})", flush=True)
    for entry in fleet.listing():
        print(f"  {entry['url']}  serial {entry['serial']}  password {entry['password']}", flush=True)
    print(f"  list: {'https' if tls else 'http'}://127.0.0.1:{members[0].port}/_emulator/fleet", flush=True)
    for line in control_banner(policy, f"{'https' if tls else 'http'}://127.0.0.1:{members[0].port}"):
        print(line, flush=True)
    print(stack_banner(stack), flush=True)
    configure_logging(args.log_level)
    startup.ready(serving=True)
    run_many(fleet, sockets, tls=tls, log_level=args.log_level, stack=stack)
    return 0


def run_workers(args: argparse.Namespace) -> int:
    """`serve --gateways N --workers K`: K shard processes of this same command, supervised."""
    from emulator.serving.workers import Supervisor, plan

    for flag, given in (("--shard", args.shard), ("--scenario", args.scenario), ("--replay", args.replay)):
        if given:
            print(f"teg-emulator: error: --workers cannot be combined with {flag}", file=sys.stderr)
            return 2
    try:
        workers = plan(args.argv, args.gateways, args.workers, args.fleet_mode, args.port)
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    print(f"teg-emulator fleet of {args.gateways} gateways in {len(workers)} worker processes", flush=True)
    startup.ready(serving=True)
    return Supervisor(workers, lambda line: print(line, flush=True)).run()
