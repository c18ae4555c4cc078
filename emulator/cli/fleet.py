"""`teg-emulator fleet manifest`: every member of a sharded fleet, without starting anything."""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from emulator.cli import options as opt
from emulator.contract import facts_for, firmware_facts
from emulator.serving.limits import fleet_size
from emulator.serving.options import DEFAULT_FIRMWARE, RunOptions

# The shard planner loads when a manifest is asked for, not at every start of the CLI (issue 13)
if TYPE_CHECKING:
    from emulator.cli.statefulset import StatefulSetFleet

_IDENTITY_FLAGS = ("--gateway-serial", "--password", "--gw-password", "--seed", "--powerwalls")
"""What decides a member's serial, passwords and site: the same flags, parsers and defaults as `serve`."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("fleet", help="plan a fleet served as shards (a manifest for load-test tools)")
    actions = p.add_subparsers(dest="fleet_command", required=True, metavar="ACTION")
    m = actions.add_parser(
        "manifest",
        help="print every member's serial, URL, password and firmware",
        description="Every member of `serve --gateways N` split into K shards (`--shard k/K` or `--workers K`), "
        "computed as the shards will serve them; nothing is started. Give the same identity flags "
        "(--firmware, --gateway-serial, --password, --gw-password, --seed, --powerwalls) as the shards.",
    )
    m.add_argument("--gateways", type=opt.from_parse(fleet_size), default=None, help="members in the whole fleet")
    m.add_argument("--shards", type=opt.from_parse(fleet_size), default=1, help="shards (workers or pods)")
    m.add_argument(
        "--url-template",
        default=None,
        help="each member's URL: {k} shard, {port}, {host} (host-mode name), {index}; "
        "e.g. 'https://teg-emulator-{k}.teg-emulator:8443' (default: the --workers layout on 127.0.0.1)",
    )
    m.add_argument("--format", choices=("json", "csv"), default="json", help="output format (default json)")
    m.add_argument("--fleet-mode", choices=("ports", "host"), default="ports", help="as `serve --fleet-mode`")
    m.add_argument("--port", type=opt.port, default=8080, help="as `serve --port` (the first member's or shard's)")
    m.add_argument(
        "--pods",
        action="store_true",
        help="one host per shard (Kubernetes pods): every shard's first member on --port, not the --workers layout",
    )
    m.add_argument(
        "--statefulset",
        type=opt.readable_file,
        metavar="FILE",
        help="take everything from a StatefulSet manifest (`kubectl kustomize deploy/kubernetes/base`): "
        "replicas, service, TEG_* variables, PORT; the URLs are its pods' DNS names",
    )
    m.add_argument(
        "--firmware",
        choices=sorted(firmware_facts()),
        default=DEFAULT_FIRMWARE,
        help=f"firmware (default {DEFAULT_FIRMWARE}, as serve)",
    )
    for name, kwargs in opt.option_flags():  # the identity flags exactly as `serve` takes them
        if name in _IDENTITY_FLAGS:
            m.add_argument(name, **kwargs)
    tls = m.add_mutually_exclusive_group()
    tls.add_argument("--tls", dest="tls", action="store_true", default=None, help="https URLs (default by firmware)")
    tls.add_argument("--no-tls", dest="tls", action="store_false", help="http URLs")
    m.set_defaults(run=run_manifest)


def planned(args: argparse.Namespace) -> StatefulSetFleet:
    """The fleet the flags (or the StatefulSet) describe; ValueError with a one-line reason."""
    from emulator.cli.statefulset import StatefulSetFleet, read_statefulset
    from emulator.serving.shards import Layout

    if args.statefulset is not None:
        with open(args.statefulset, encoding="utf-8") as file:
            fleet = read_statefulset(file.read())
        return replace(fleet, template=args.url_template or fleet.template)
    if args.gateways is None:
        raise ValueError("give --gateways N (or --statefulset FILE)")
    options = RunOptions(
        firmware=args.firmware,
        gateway_serial=args.gateway_serial,
        password=args.password,
        gw_password=args.gw_password,
        seed=args.seed,
        powerwalls=args.powerwalls,
    )
    tls = facts_for(args.firmware).uses_tls if args.tls is None else args.tls
    layout = Layout(args.fleet_mode, "https" if tls else "http", args.port, args.pods)
    return StatefulSetFleet(options, args.gateways, args.shards, layout, args.url_template or "")


def run_manifest(args: argparse.Namespace) -> int:
    from emulator.serving.shards import manifest, write_manifest

    try:
        fleet = planned(args)
        rows = manifest(fleet.options, fleet.gateways, fleet.shards, fleet.layout, fleet.template or None)
        first = next(rows)  # every check runs before the first byte is printed
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    write_manifest(itertools.chain([first], rows), args.format, sys.stdout)
    return 0
