"""`teg-emulator serve --replay FILE`: serve a recording back instead of a simulated gateway."""

from __future__ import annotations

import argparse
import sys

from emulator.cli.serve import base_url, listen, tls_files
from emulator.firmware import get_profile
from emulator.replay import RecordingError, create_replay_app, load_recording
from emulator.server import check_tls, run


def refused(args: argparse.Namespace) -> str | None:
    """Why the flags cannot go together, or None."""
    if args.loop and args.replay is None:
        return "--loop needs --replay"
    if args.replay is not None and args.gateways > 1:
        return "--replay serves one recording; it cannot be combined with --gateways"
    if args.replay is not None and getattr(args, "scenario", None):
        return "--replay serves a recording and --scenario a simulated day: choose one"
    return None


def run_replay(args: argparse.Namespace) -> int:
    """Load and check the whole file first: a malformed recording is one line and exit 2, nothing served."""
    try:
        recording = load_recording(args.replay)
        if not recording.responses:
            raise RecordingError(args.replay, None, "the recording holds no responses, only its header")
        tls = tls_files(args, get_profile(recording.header.profile).tls_default)
        if tls is not None:
            check_tls(tls)
        app = create_replay_app(recording, password=args.password, speed=args.speed, paused=args.paused, loop=args.loop, tls=tls is not None)
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    sock = listen(args)
    if sock is None:
        return 2
    base = base_url(sock, tls is not None)
    header, gateway = recording.header, app.state.gateway
    print(f"teg-emulator replaying {recording.file.name} (firmware {header.firmware}, {len(recording.responses)} responses over {recording.duration_s:.1f} s) on {base}/", flush=True)
    print(f"  login password: {gateway.password}", flush=True)
    print(f"  control API:    {base}/_emulator/replay", flush=True)
    run(app, sock, tls=tls, log_level=args.log_level)
    return 0
