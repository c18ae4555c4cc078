"""`teg-emulator record`: record a gateway's read endpoints to a file that `serve --replay` serves back."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from emulator.cli import options as opt
from emulator.durations import parse_duration
from emulator.extras import optional

if TYPE_CHECKING:  # the recorder pulls in httpx: load it when recording, not for every command
    from emulator.replay import Summary

MAX_DURATION_S = 31 * 86_400
PASSWORD_ENV = "TEG_PASSWORD"
GW_PASSWORD_ENV = "TEG_GW_PASSWORD"
RSA_KEY_ENV = "TEG_RSA_KEY"


def duration(text: str) -> float:
    """A --duration (the parser every flag and file shares): seconds, > 0 and at most 31 days."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 0 < seconds <= MAX_DURATION_S:
        raise argparse.ArgumentTypeError(f"{text} must be more than 0 and at most 31 days")
    return seconds


def gateway_url(text: str) -> str:
    """http(s)://host[:port], or a bare host (HTTPS is tried first, then HTTP)."""
    parts = urlsplit(text if "://" in text else f"//{text}")
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if (
        parts.scheme not in ("", "http", "https")
        or not parts.hostname
        or not port_ok
        or parts.path not in ("", "/")
        or parts.query
    ):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a gateway URL such as https://192.168.91.1 or http://teg:8080"
        )
    return text.rstrip("/")


def endpoints(text: str) -> list[str]:
    try:
        from emulator.replay.recorder import check_endpoint

        return [check_endpoint(p) for p in text.split(",") if p.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("record", help="record a real gateway's read endpoints for serve --replay")
    p.add_argument(
        "--gateway-url",
        required=True,
        type=gateway_url,
        help="https://IP (20.49+ firmware) or http://IP (1.x); a bare host tries both",
    )
    p.add_argument(
        "--password",
        default=None,
        help=f"customer password (firmware 20.49+; default ${PASSWORD_ENV}); 1.15.0 is recorded without a login",
    )
    p.add_argument(
        "--gw-password",
        default=None,
        help=f"gateway password from the QR sticker (default ${GW_PASSWORD_ENV}): records the TEDAPI too;"
        " a Powerwall 3 needs it (its customer password defaults to the last five characters)",
    )
    p.add_argument(
        "--rsa-key",
        default=None,
        metavar="PEM",
        help=f"the owner's registered TEDAPI v1r private key (default ${RSA_KEY_ENV}): records a Powerwall 3's"
        " TEDAPI over v1r, as its LAN clients read it since 25.10 (needs --password, or --gw-password)",
    )
    p.add_argument("--email", default="nobody@nowhere.com", help="e-mail sent with the login")
    p.add_argument("--out", required=True, type=Path, help="the recording to write (JSON Lines)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument(
        "--interval", type=opt.bounded_float(0.05, 3600), default=5.0, help="seconds between polls (default 5)"
    )
    p.add_argument("--duration", type=duration, default=3600.0, help="how long to record: 90s, 15m, 1h30m (default 1h)")
    p.add_argument(
        "--endpoints",
        type=endpoints,
        action="extend",
        default=None,
        nargs="+",
        metavar="PATH",
        help="paths to poll (space- or comma-separated; default: the firmware's read set)",
    )
    p.add_argument(
        "--redact",
        action="store_true",
        help="replace serial numbers, credentials, tokens and e-mails with stable placeholders",
    )
    p.add_argument(
        "--timeout", type=opt.bounded_float(0.1, 300), default=10.0, help="seconds to wait for each answer (default 10)"
    )
    p.set_defaults(run=run_record)


def run_record(args: argparse.Namespace) -> int:
    from emulator.replay import RecordError, RecordOptions, record

    if args.out.is_dir():  # checked first: --force cannot overwrite a folder with a file
        print(f"teg-emulator: error: cannot write {args.out}: it is a folder; name a file inside it", file=sys.stderr)
        return 2
    if args.out.exists() and not args.force:
        print(f"teg-emulator: error: {args.out} exists (add --force to overwrite it)", file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"teg-emulator: error: cannot write {args.out}: no such directory {args.out.parent}", file=sys.stderr)
        return 2
    rsa_key = None
    key_file = args.rsa_key or os.environ.get(RSA_KEY_ENV)
    if key_file:
        from emulator.contract.v1r import SigningKeyError, read_signing_key

        try:
            rsa_key = read_signing_key(key_file)
        except SigningKeyError as exc:
            print(f"teg-emulator: error: --rsa-key: {exc}", file=sys.stderr)
            return 2
    options = RecordOptions(
        gateway_url=args.gateway_url,
        out=args.out,
        password=args.password or os.environ.get(PASSWORD_ENV) or None,
        gw_password=args.gw_password or os.environ.get(GW_PASSWORD_ENV) or None,
        email=args.email,
        interval_s=args.interval,
        duration_s=args.duration,
        endpoints=tuple(dict.fromkeys(p for group in args.endpoints for p in group)) if args.endpoints else None,
        redact=args.redact,
        timeout_s=args.timeout,
        overwrite=args.force,
        rsa_key=rsa_key,
    )
    progress = _Progress(args.duration)
    try:
        summary = record(options, on_start=progress.start, on_poll=progress.poll)
    except RecordError as exc:
        progress.close()
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 1
    progress.close()
    for note in summary.notes[progress.notes_shown :]:
        print(f"  note: {note}", flush=True)
    args.interrupted = summary.interrupted  # main() exits at once
    how = "stopped by Ctrl-C" if summary.interrupted else "done"
    failed = f", {summary.failures} requests unanswered" if summary.failures else ""
    print(
        f"{how}: {summary.responses} responses from {summary.polls} polls in {summary.elapsed_s:.1f} s{failed} -> {summary.file}",
        flush=True,
    )
    return 0


class _Progress:
    """A bar on a terminal (stderr); plain start and end lines everywhere else."""

    def __init__(self, duration_s: float) -> None:
        self.duration_s = duration_s
        self.bar: Any = None  # a tqdm bar when the [plot] extra is installed
        self.notes_shown = 0

    def start(self, summary: Summary) -> None:
        h = summary.header
        print(
            f"recording {h.source or 'the gateway'} (firmware {h.firmware}, replays as {h.profile}) every {h.interval_s:g} s to {summary.file}",
            flush=True,
        )
        print(f"  endpoints: {' '.join(h.endpoints)}", flush=True)
        for note in summary.notes:
            print(f"  note: {note}", flush=True)
        self.notes_shown = len(summary.notes)
        tqdm_module = optional("tqdm")
        if tqdm_module is None:
            return  # the [plot] extra brings progress bars; recording does not need one
        self.bar = tqdm_module.tqdm(
            total=round(self.duration_s, 1), file=sys.stderr, disable=None, leave=False, dynamic_ncols=True,
            bar_format="{percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}",
        )  # fmt: skip

    def poll(self, summary: Summary) -> None:
        if self.bar is not None and not self.bar.disable:
            self.bar.n = min(self.bar.total, round(summary.elapsed_s, 1))
            self.bar.set_postfix_str(f"{summary.responses} responses", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
