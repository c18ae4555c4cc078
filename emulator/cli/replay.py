"""`teg-emulator serve --replay FILE`: serve a recording back instead of a simulated gateway."""

from __future__ import annotations

import argparse

from starlette.applications import Starlette

from emulator.cli.listen import Built, control_banner, control_policy, serve_app, tls_identity
from emulator.contract import facts_for
from emulator.http.context import app_context
from emulator.replay import RecordingError, create_replay_app, load_recording
from emulator.replay.context import ReplayContext


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
    return serve_app(args, lambda: _replay_app(args), _banner)


def _replay_app(args: argparse.Namespace) -> Built:
    recording = load_recording(args.replay)
    if not recording.responses:
        raise RecordingError(args.replay, None, "the recording holds no responses, only its header")
    tls = tls_identity(args, facts_for(recording.header.profile))
    app = create_replay_app(
        recording,
        password=args.password,
        gw_password=args.gw_password,
        speed=args.speed,
        paused=args.paused,
        loop=args.loop,
        tls=tls is not None,
        control=control_policy(args),
        authorized_keys=tuple(args.authorized_keys),
    )
    return app, tls, None  # a recording's transport is fixed: it was recorded on one firmware


def _banner(app: Starlette, base: str) -> list[str]:
    ctx = app_context(app)
    assert isinstance(ctx, ReplayContext)
    recording, gateway = ctx.replay.recording, ctx.gateway
    header = recording.header
    return [
        f"teg-emulator replaying {recording.file.name} (firmware {header.firmware}, {len(recording.responses)} responses over {recording.duration_s:.1f} s) on {base}/",
        f"  login password: {gateway.password}",
        *(
            [f"  TEDAPI:         {base}/tedapi/v1  (HTTP Basic Tesla_Energy_Device:{gateway.gw_password})"]
            if "/tedapi/v1" in ctx.replay.paths()
            else []
        ),
        *(
            [
                f"  TEDAPI v1r:     {base}/tedapi/v1r  ({len(gateway.authorized_clients)} authorized key(s), signed"
                f" for the recorded DIN; add one at {base}/_emulator/authorized_clients)"
            ]
            if "/tedapi/v1r" in ctx.replay.paths()
            else []
        ),
        f"  control API:    {base}/_emulator/replay",
        *control_banner(ctx.control, base),
    ]
